"""The sample library in data/sample.json: a few real papers in areas, with annotations.

Loading it twice changes nothing, and it never overwrites what the user changed since.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from litreview.config import resource_path
from litreview.errors import InvalidInput
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import add_paper_to_areas, ensure_area_path
from litreview.library.papers import Outcome, import_records
from litreview.library.papers_base import get_paper
from litreview.models import PaperLink, ReadingStatus, Relation, SourceKind
from litreview.normalize import split_display_name

# Every sample paper carries this tag, so ``litreview remove --tag sample`` takes them out.
SAMPLE_TAG = "sample"


def sample_path() -> Path:
    return resource_path("data") / "sample.json"


def _record(entry: dict[str, Any]) -> PaperRecord:
    people = [split_display_name(name) for name in entry["authors"]]
    arxiv_id = entry["arxiv_id"]
    return PaperRecord(
        title=entry["title"],
        source=SourceKind.manual,
        source_detail="litreview sample library",
        authors=[AuthorRecord(p.display, p.family, p.given) for p in people],
        year=entry.get("year"),
        venue=entry.get("venue"),
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
        tags=[*entry.get("tags", []), SAMPLE_TAG],
        annotation=entry.get("annotation"),
    )


def load_sample_library(session: Session, path: Path | None = None) -> str:
    """Load the sample (idempotent); returns a one-line summary."""
    source = path or sample_path()
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the sample library {source}: {exc}") from exc
    for area in data["areas"]:
        node = ensure_area_path(session, area["path"])
        if not node.description:
            node.description = area.get("description", "")
            session.add(node)
    report = import_records(session, [_record(e) for e in data["papers"]])
    ids: dict[str, int] = {}
    for entry, outcome in zip(data["papers"], report.outcomes, strict=True):
        assert outcome.paper_id is not None
        ids[entry["arxiv_id"]] = outcome.paper_id
        if outcome.status == Outcome.added:
            _place(session, outcome.paper_id, entry)
    added_links = 0
    for rel in data["relations"]:
        source_id, target_id = ids[rel["source"]], ids[rel["target"]]
        relation = Relation(rel["relation"])
        exists = session.exec(
            select(PaperLink).where(
                PaperLink.source_id == source_id,
                PaperLink.target_id == target_id,
                PaperLink.relation == relation,
            )
        ).first()
        if exists is None:
            session.add(
                PaperLink(
                    source_id=source_id,
                    target_id=target_id,
                    relation=relation,
                    note=rel.get("note", ""),
                )
            )
            added_links += 1
    session.flush()
    counts = report.counts()
    return (
        f"sample library: {counts['added']} papers added, "
        f"{len(report.outcomes) - counts['added']} already there, {added_links} relations added"
    )


def _place(session: Session, paper_id: int, entry: dict[str, Any]) -> None:
    paper = get_paper(session, paper_id)
    paper.status = ReadingStatus(entry.get("status", "unread"))
    paper.rating = entry.get("rating")
    session.add(paper)
    area_ids = [ensure_area_path(session, p).id for p in entry.get("areas", [])]
    add_paper_to_areas(session, paper_id, [a for a in area_ids if a is not None])
