from intake.cli import main

if __name__ == "__main__":  # `python -m intake`; an import of this module runs nothing
    main()
