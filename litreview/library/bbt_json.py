"""Import a Better BibTeX JSON export: its items as papers, its collections as areas.

Same report and same rules as a BibTeX import (identity, merge, one transaction, a dry run rolls
back); each collection's items are placed in its area.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from litreview.errors import InvalidInput
from litreview.importers.bbt_json import parse_bbt_json
from litreview.library.areas import split_area_path
from litreview.library.bibtex import BibtexImportReport
from litreview.library.groups import make_group_areas, place_members
from litreview.library.importing import RecordImporter
from litreview.library.suggestions import suggest_after_import


def import_bbt_json(
    session: Session,
    data: bytes | str,
    *,
    source: str,
    tags: Sequence[str] = (),
    area_path: str | None = None,
    dry_run: bool = False,
) -> BibtexImportReport:
    """Store the items of a Better BibTeX JSON export and file them by their collections."""
    if area_path is not None:
        split_area_path(area_path)
    try:
        text = data if isinstance(data, str) else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: JSON must be UTF-8 ({exc})") from exc
    parsed = parse_bbt_json(text, source=source)
    savepoint = session.begin_nested() if dry_run else None
    try:
        importer = RecordImporter(session, tags=tags, area_path=area_path)
        importer.add(parsed.records)
        outcomes = importer.report().outcomes
        made = make_group_areas(session, parsed.roots, under=area_path)
        paper_of = {
            item: o.paper_id
            for item, o in zip(parsed.item_ids, outcomes, strict=True)
            if o.paper_id is not None
        }
        members: dict[int, list[int]] = {}
        for root in parsed.roots:
            for _, node in root.walk():
                members[id(node)] = [paper_of[i] for i in node.members if i in paper_of]
        place_members(session, made, members)
        if not dry_run:
            suggest_after_import(session, importer.report().paper_ids())
    finally:
        if savepoint is not None:
            savepoint.rollback()
    info = {"format": "Better BibTeX JSON", "encoding": "utf-8", "records": len(parsed.records)}
    info.update(made.info())
    report = BibtexImportReport(source, info, [*parsed.problems, *made.problems], dry_run=dry_run)
    report.outcomes = list(outcomes)
    return report
