"""Prometheus' text format for what intake counts: the desk's `/metrics` and the file the
one-shot runs leave for node_exporter's textfile collector.

The numbers arrive as a `Snapshot` (gathered from the ledger elsewhere); this module only
names the families and writes them, so both outputs carry exactly the same families.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # "text/plain; version=0.0.4; charset=utf-8"
QUEUE_KINDS = ("review", "notification", "overdue", "mail", "quarantine")


@dataclass(frozen=True)
class Snapshot:
    """Everything `/metrics` reports, at one moment."""

    documents: dict[tuple[str, str, str], int]  # (channel, status, campaign) -> count
    mails: dict[str, int]  # outcome -> count
    queue: dict[str, int]  # work queue kind -> items
    quarantined_files: int
    extraction_timeouts: int = 0
    smtp_failures: int = 0
    claims_taken_over: int = 0
    last_sweep_success: float = 0.0  # Unix time; 0: never (an age alert fires at once)


class _Collector:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        # Counts of what the ledger holds, so gauges (a rejudge moves a document to another
        # status, a retried mail from failed to answered); the SPEC's names end in _total.
        documents = GaugeMetricFamily(
            "intake_documents_total",
            "Documents in the ledger by channel, current status and campaign.",
            labels=["channel", "status", "campaign"],
        )
        for (channel, status, campaign), count in sorted(s.documents.items()):
            documents.add_metric([channel, status, campaign], count)
        yield documents
        mails = GaugeMetricFamily(
            "intake_mails_total",
            "Mails in the ledger by outcome (answered, no_reply, failed).",
            labels=["outcome"],
        )
        for outcome, count in sorted(s.mails.items()):
            mails.add_metric([outcome], count)
        yield mails
        queue = GaugeMetricFamily(
            "intake_queue_items", "Items on the staff work queue by kind.", labels=["kind"]
        )
        for kind in sorted({*QUEUE_KINDS, *s.queue}):
            queue.add_metric([kind], s.queue.get(kind, 0))
        yield queue
        yield GaugeMetricFamily(
            "intake_quarantined_files",
            "Files in the quarantine folder.",
            value=s.quarantined_files,
        )
        for name, value, text in (
            ("extraction_timeouts", s.extraction_timeouts, "Text extractions killed at the limit."),
            ("smtp_failures", s.smtp_failures, "Mails the SMTP server did not take."),
            ("claims_taken_over", s.claims_taken_over, "Claims taken from a dead or late worker."),
        ):
            yield CounterMetricFamily(f"intake_{name}", text, value=value)
        yield GaugeMetricFamily(
            "intake_last_sweep_success_timestamp_seconds",
            "When the last sweep that did all of its work ended (Unix time; 0: never).",
            value=s.last_sweep_success,
        )


def _registry(snapshot: Snapshot) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(snapshot))  # type: ignore[arg-type]
    return registry


def render(snapshot: Snapshot) -> bytes:
    """The text format, version 0.0.4."""
    return generate_latest(_registry(snapshot))


def write_textfile(path: Path, snapshot: Snapshot) -> None:
    """Write atomically (a temporary file renamed over the old one): node_exporter never
    reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), _registry(snapshot))
