"""Add papers by arXiv id, and refresh stored ones: what the CLI and the API call.

``add_arxiv`` parses every input first (a malformed one fails on its own, quoted, and is never
sent), fetches the rest in batches, and stores what came back through the merge rule of
:func:`litreview.library.papers.import_records`. ``refresh_arxiv`` re-fetches stored arXiv papers
and reports those whose version moved past the one their annotation was written about, and new
journal references and DOIs. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from litreview.db import reads_before_writes
from litreview.errors import InvalidInput
from litreview.importers.arxiv_fetch import ArxivFetcher, Progress
from litreview.importers.records import PaperRecord
from litreview.library.areas import split_area_path
from litreview.library.papers import Outcome, import_records
from litreview.models import Annotation, Paper
from litreview.normalize import ArxivId, parse_arxiv_id


@dataclass
class ArxivOutcome:
    """What became of one input of ``add_arxiv``."""

    input: str
    status: Outcome
    arxiv_id: str | None = None
    paper_id: int | None = None
    key: str | None = None
    message: str = ""
    version: int | None = None

    @property
    def failed(self) -> bool:
        return self.status == Outcome.failed


def count_outcomes(outcomes: Sequence[ArxivOutcome]) -> dict[str, int]:
    """How many inputs ended in each status (every status listed, zeros included)."""
    counts = {o.value: 0 for o in Outcome}
    for outcome in outcomes:
        counts[outcome.status.value] += 1
    return counts


def add_arxiv(
    session: Session,
    fetcher: ArxivFetcher,
    inputs: Sequence[str],
    *,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    progress: Progress | None = None,
) -> list[ArxivOutcome]:
    """Fetch and store the papers named by ``inputs``; one outcome per input, in order."""
    if area_path is not None:
        split_area_path(area_path)  # a bad path fails before any request
    outcomes: list[ArxivOutcome] = []
    first_of: dict[ArxivId, int] = {}
    for position, text in enumerate(inputs):
        try:
            wanted = parse_arxiv_id(text)
        except InvalidInput as exc:
            outcomes.append(ArxivOutcome(text, Outcome.failed, message=exc.message))
            continue
        outcome = ArxivOutcome(text, Outcome.unchanged, str(wanted))
        if wanted in first_of:
            outcome.message = f"listed twice: same as input {first_of[wanted] + 1}"
        else:
            first_of[wanted] = position
        outcomes.append(outcome)
    fetched = fetcher.fetch(list(first_of), progress=progress)
    records: list[PaperRecord] = []
    record_input: list[int] = []
    for result in fetched:
        position = first_of[result.requested]
        if result.record is None:
            outcomes[position].status = Outcome.failed
            outcomes[position].message = result.message
            continue
        records.append(result.record)
        record_input.append(position)
    report = import_records(session, records, tags=tags, area_path=area_path)
    for stored in report.outcomes:
        record = records[stored.index]
        outcome = outcomes[record_input[stored.index]]
        outcome.status = stored.status
        outcome.paper_id = stored.paper_id
        outcome.key = stored.key
        outcome.message = stored.message
        outcome.version = record.arxiv_version
    _copy_to_repeats(outcomes, inputs, first_of)
    return outcomes


def _copy_to_repeats(
    outcomes: list[ArxivOutcome], inputs: Sequence[str], first_of: dict[ArxivId, int]
) -> None:
    """An input listed twice points at the same paper as its first mention, and changes nothing."""
    first_positions = set(first_of.values())
    for position, outcome in enumerate(outcomes):
        if position in first_positions or outcome.arxiv_id is None:
            continue
        first = outcomes[first_of[parse_arxiv_id(inputs[position])]]
        outcome.paper_id, outcome.key, outcome.version = first.paper_id, first.key, first.version
        if first.failed:
            outcome.status, outcome.message = Outcome.failed, first.message


@dataclass
class RefreshItem:
    """One stored arXiv paper after a refresh."""

    paper_id: int
    key: str
    arxiv_id: str
    status: Outcome
    old_version: int | None
    new_version: int | None
    annotated_version: int | None = None
    new_journal_ref: str | None = None
    new_doi: str | None = None
    message: str = ""

    @property
    def annotation_stale(self) -> bool:
        """The paper's arXiv version moved past the one its annotation was written about."""
        return (
            self.annotated_version is not None
            and self.new_version is not None
            and self.new_version > self.annotated_version
        )

    @property
    def noteworthy(self) -> bool:
        return bool(
            self.annotation_stale
            or self.new_journal_ref
            or self.new_doi
            or self.status in (Outcome.updated, Outcome.failed)
        )


@dataclass
class RefreshReport:
    items: list[RefreshItem] = field(default_factory=list)

    @property
    def stale(self) -> list[RefreshItem]:
        return [i for i in self.items if i.annotation_stale]

    @property
    def failed(self) -> list[RefreshItem]:
        return [i for i in self.items if i.status == Outcome.failed]


@dataclass
class _Stored:
    paper_id: int
    key: str
    arxiv_id: str
    version: int | None
    journal_ref: str | None
    doi: str | None
    annotated_version: int | None


def _stored_arxiv_papers(session: Session, only: Sequence[str] | None) -> list[_Stored]:
    stmt = (
        sa.select(
            col(Paper.id),
            col(Paper.key),
            col(Paper.arxiv_id),
            col(Paper.arxiv_version),
            col(Paper.journal_ref),
            col(Paper.doi),
            col(Annotation.arxiv_version),
            col(Annotation.markdown),
        )
        .outerjoin(Annotation, col(Annotation.paper_id) == col(Paper.id))
        .where(col(Paper.arxiv_id).is_not(None))
        .order_by(col(Paper.id))
    )
    if only is not None:
        stmt = stmt.where(col(Paper.arxiv_id).in_([parse_arxiv_id(i).id for i in only]))
    return [
        _Stored(pid, key, aid, ver, jref, doi, aver if (md or "").strip() else None)
        for pid, key, aid, ver, jref, doi, aver, md in session.execute(stmt)
    ]


def refresh_arxiv(
    session: Session,
    fetcher: ArxivFetcher,
    *,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RefreshReport:
    """Re-fetch stored arXiv papers (all, or the ids in ``only``) and store newer versions.

    The stored ids are read in a transaction of their own, so that the fetch (seconds over the
    network) holds no write lock; storing what came back takes it (``session`` is a fresh one:
    that first transaction is rolled back)."""
    with reads_before_writes(session):
        stored = _stored_arxiv_papers(session, only)
    fetched = fetcher.fetch([ArxivId(s.arxiv_id) for s in stored], progress=progress)
    report = RefreshReport()
    records: list[PaperRecord] = []
    items: list[RefreshItem] = []
    for paper, result in zip(stored, fetched, strict=True):
        item = RefreshItem(
            paper.paper_id,
            paper.key,
            paper.arxiv_id,
            Outcome.unchanged,
            paper.version,
            paper.version,
            paper.annotated_version,
        )
        report.items.append(item)
        record = result.record
        if record is None:
            item.status = Outcome.failed
            item.message = result.message
            continue
        item.new_version = max(record.arxiv_version or 0, paper.version or 0) or None
        if record.journal_ref and record.journal_ref != paper.journal_ref:
            item.new_journal_ref = record.journal_ref
        if record.doi and record.doi != paper.doi:
            item.new_doi = record.doi
        records.append(record)
        items.append(item)
    outcome_report = import_records(session, records)
    for outcome in outcome_report.outcomes:
        item = items[outcome.index]
        item.status = outcome.status
        item.message = outcome.message
    return report
