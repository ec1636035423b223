"""What became of each record of an import: added, updated, merged, unchanged or failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    added = "added"
    updated = "updated"
    merged = "merged"
    unchanged = "unchanged"
    failed = "failed"


@dataclass
class RecordOutcome:
    """What became of one record of an import."""

    index: int
    status: Outcome
    title: str
    paper_id: int | None = None
    key: str | None = None
    message: str = ""
    changed: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class ImportReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        return counts
