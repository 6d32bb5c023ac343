"""Every reason a reader in `intake.extract` can give has its Dutch words in
rules/reasons.toml, with the values it fills in: a missing one would be a traceback in
front of a provider instead of a finding."""

from __future__ import annotations

import ast
import pickle
import string
from pathlib import Path

import pytest

import intake.extract
from intake.campaign.reasons import reason, reasons
from intake.extract.container import ContainerError

EXTRACT = Path(intake.extract.__file__).parent


def _raised() -> list[tuple[str, str, set[str]]]:
    """(file, key, value names) of every ContainerError made in intake/extract."""
    found = []
    for path in sorted(EXTRACT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "")
                in (
                    "ContainerError",
                    "ExtractionTimeout",
                )
            ):
                continue
            args = node.args
            if len(args) >= 2 and isinstance(args[1], ast.Constant):
                names = set()
                if len(args) == 3 and isinstance(args[2], ast.Dict):
                    names = {k.value for k in args[2].keys if isinstance(k, ast.Constant)}
                found.append((path.name, args[1].value, names))
    return found


RAISED = _raised()


def test_the_readers_give_their_reasons_by_key():
    assert len(RAISED) >= 20  # every site seen, not an empty scan


@pytest.mark.parametrize(("source", "key", "names"), RAISED)
def test_each_reason_has_its_words_and_exactly_its_values(source, key, names):
    assert key in reasons(), f"{source}: {key} is not in rules/reasons.toml"
    wanted = {field for _, field, _, _ in string.Formatter().parse(reasons()[key]) if field}
    assert wanted == names, (
        f"{source}: {key} fills {sorted(names)}, the text wants {sorted(wanted)}"
    )


def test_no_reason_in_the_rules_is_left_unused():
    worker_only = {"too_much_memory"}  # sent as a tuple by the worker, not raised
    assert set(reasons()) == {key for _, key, _ in RAISED} | worker_only


def test_a_reason_reads_in_dutch_and_survives_the_worker_pipe():
    exc = ContainerError("FILE_TOO_LARGE", "too_many_pages", {"count": "90", "limit": "60"})
    assert reason(exc) == "90 pagina's, meer dan 60"
    again = pickle.loads(pickle.dumps(exc))
    assert (again.code, again.key, again.values) == (exc.code, exc.key, exc.values)
    assert "too_many_pages" in str(exc)  # logs name the key, in English
