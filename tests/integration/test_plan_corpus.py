"""Real PDFs and Word documents from other projects' test suites: none is a kwaliteitsplan,
so none may be accepted as one, and none may crash the plan checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.domain import Submission
from intake.judging.pipeline import judge
from tests.manifest import FIXTURES

CORPUS = FIXTURES / "corpora" / "external"
DOCUMENTS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".pdf", ".docx"))


def test_the_corpus_copy_is_there():
    assert len(DOCUMENTS) >= 150


@pytest.mark.slow
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_no_external_document_is_accepted_as_a_plan(path, ctx):
    verdict = judge(
        Submission(path.name, path.read_bytes(), datetime(2019, 11, 20, tzinfo=UTC)), ctx
    )
    assert not (verdict.document.value == "kwaliteitsplan" and verdict.status.value == "accepted")
    assert verdict.status.value in ("rejected", "review")
    assert "FILE_UNREADABLE" not in verdict.codes or "kon niet worden verwerkt" not in " ".join(
        f.message for f in verdict.findings
    )  # unreadable is fine, a crash of a check is not
