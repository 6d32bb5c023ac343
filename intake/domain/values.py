"""How cell values are read the same way by every check (stdlib only)."""

from __future__ import annotations

import re
from typing import Any


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def norm_choice(value: Any) -> str:
    """Drop-down answers compare without case or extra spaces: 'ja ' is 'Ja'."""
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def agb_text(value: Any) -> str:
    """An AGB code as text: a number typed without quote is accepted if it has 8 digits."""
    if is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()
