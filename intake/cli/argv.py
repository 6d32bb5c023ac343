"""Global options accepted anywhere on the command line, as users type them.

`intake check -v file.xlsx` and `intake sweep --config /etc/intake.toml --log-format json`
are as natural as putting the options first; click only reads group options before the
subcommand, so they are moved there before click parses.
"""

from __future__ import annotations

import re

_VERBOSE = re.compile(r"-v+$")
_WITH_VALUE = ("--config", "--log-format")
_WITH_EQUALS = tuple(f"{option}=" for option in _WITH_VALUE)


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move `-v`/`--verbose`, `--config X` and `--log-format X` after the subcommand before it."""
    command = _first_command(argv)
    if command is None:
        return argv
    before, rest = argv[:command], argv[command:]
    hoisted, kept = [], [rest[0]]
    i = 1
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            kept += rest[i:]
            break
        if _VERBOSE.match(arg) or arg == "--verbose" or arg.startswith(_WITH_EQUALS):
            hoisted.append(arg)
        elif arg in _WITH_VALUE and i + 1 < len(rest):
            hoisted += [arg, rest[i + 1]]
            i += 1
        else:
            kept.append(arg)
        i += 1
    return before + hoisted + kept


def _first_command(argv: list[str]) -> int | None:
    """Index of the subcommand: the first word that is neither an option nor its value."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _WITH_VALUE:
            i += 2
            continue
        if not arg.startswith("-"):
            return i
        i += 1
    return None
