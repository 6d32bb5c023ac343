"""Campaign as data: rules, model family (templates), register, validated on load."""
