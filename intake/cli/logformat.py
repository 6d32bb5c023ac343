"""Log lines as text for a terminal, or as one JSON object per line for journald or a collector.

A channel names what a line is about with `extra={"file": …, "mail": …, "outcome": …}`;
in JSON those become fields of their own, so staff can search "what happened to this
mail" without parsing prose.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

FIELDS = ("file", "mail", "outcome", "channel")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One object per record; a traceback only with `detail` (-vv), else the error in a line."""

    def __init__(self, detail: bool = False) -> None:
        super().__init__()
        self.detail = detail

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            detail = self.formatException(record.exc_info) if self.detail else None
            line["error"] = detail or f"{type(exc).__name__}: {exc}"
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int, formatter: logging.Formatter) -> None:
    """(Re)configure the root logger; called before and again after the config is read."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces its plugins and an up-to-date schema at info on every start.
    logging.getLogger("alembic").setLevel(level if level <= logging.DEBUG else logging.WARNING)
