"""File names that arrive from outside (mail parts, zip members) made safe to show and store."""

from __future__ import annotations

import re
from pathlib import PurePath


def safe_name(name: str) -> str:
    """A file name that stays inside its folder whatever a mail client or zip tool sent."""
    base = PurePath(name.replace("\\", "/")).name or "bijlage"
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]+", "_", base).strip(" .") or "bijlage"
    return base[:200]
