"""What became of each record of an import: added, updated, merged, unchanged or failed."""

from __future__ import annotations

from collections.abc import Sequence
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
    changed: Sequence[str] = ()
    line: int | None = None


@dataclass
class ImportReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)

    def paper_ids(self) -> list[int]:
        """The papers the import added or changed."""
        changed = (Outcome.added, Outcome.updated, Outcome.merged)
        return [o.paper_id for o in self.outcomes if o.paper_id and o.status in changed]

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        return counts
