"""Spreadsheets (CSV, XLSX) in: rows -> paper records, area paths, notes and column values.

Pure: bytes in, a :class:`TableImport` out (nothing is stored here). The header is mapped to
fields by name (see :data:`FIELD_NAMES`), ``Header=field`` overrides a mapping,
``Header=note:critique`` makes a column a kind of note, ``Header=column`` keeps it as a column of
one's own and ``Header=ignore`` drops it. Unmapped headers become columns of one's own, with a
type inferred from their values. arXiv ids and DOIs are found in any URL cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from litreview.errors import ImportFailed, InvalidInput
from litreview.estimates import parse_estimate
from litreview.importers.records import AuthorRecord, PaperRecord, Problem
from litreview.models import ColumnType, NoteKind, SourceKind
from litreview.normalize import SPACE, any_case, normalize_doi, split_display_name, try_arxiv_id

# Each field, and the header names (compared in lower case, letters and digits only) it takes.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "paper", "papertitle"),
    "authors": ("authors", "author", "by", "creators"),
    "year": ("year", "publicationyear"),
    "date": ("date", "published", "publicationdate"),
    "venue": ("venue", "journal", "booktitle", "conference", "publication"),
    "doi": ("doi",),
    "arxiv": ("arxiv", "arxivid", "eprint", "arxivnumber"),
    "url": ("url", "link", "titleurl", "paperurl", "pdf"),
    "abstract": ("abstract",),
    "annotation": ("annotation", "summary", "notes", "comment"),
    "tags": ("tags", "keywords", "labels"),
    "area": ("area", "areas", "category", "categories", "researcharea"),
    "status": ("status", "readingstatus", "read"),
    "rating": ("rating", "stars", "score"),
    "key": ("key", "citationkey", "citekey", "bibtexkey", "id"),
}
# Headers read as a kind of note when not mapped otherwise.
NOTE_NAMES: dict[str, NoteKind] = {
    "opinion": NoteKind.critique,
    "myopinion": NoteKind.critique,
    "critique": NoteKind.critique,
    "question": NoteKind.question,
    "questions": NoteKind.question,
    "quote": NoteKind.quote,
}
FIELDS = tuple(FIELD_NAMES)
KINDS = ", ".join(k.value for k in NoteKind)
_TARGETS = [*FIELD_NAMES, *(f"note:{k.value}" for k in NoteKind), "column", "ignore"]
# A --map item as the API's schema states it: a header (not blank, no "=") = a target (any case).
MAP_PATTERN = (
    f"^[^=]*[^{SPACE}=][^=]*=[{SPACE}]*(?:{'|'.join(any_case(t) for t in _TARGETS)})[{SPACE}]*$"
)
MAX_CHOICES = 30
SUFFIXES = (".csv", ".tsv", ".xlsx")
_URL = re.compile(r"https?://[^\s)\]>\"']+")


def header_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", header.lower())


@dataclass(frozen=True)
class Target:
    """Where a header's cells go: a field, a note of a kind, a column of one's own, nowhere."""

    kind: str  # "field", "note", "column", "ignore"
    name: str = ""

    def describe(self) -> str:
        return {"field": self.name, "note": f"note:{self.name}", "ignore": "ignored"}.get(
            self.kind, f"column {self.name!r}"
        )


@dataclass
class InferredColumn:
    """A column of one's own made from an unmapped header, with the type its values suggest."""

    name: str
    type: ColumnType
    options: list[str] = field(default_factory=list)
    # For a yes/no column made from a one-value column ("Highlight"): that value means yes.
    yes: str | None = None


@dataclass
class TableRow:
    """One spreadsheet row: its record and what the record does not carry."""

    row: int
    record: PaperRecord
    areas: list[str] = field(default_factory=list)
    notes: list[tuple[NoteKind, str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    rating: str | None = None


@dataclass
class TableImport:
    source: str
    mapping: dict[str, Target] = field(default_factory=dict)
    columns: list[InferredColumn] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_mapping(items: Iterable[str]) -> dict[str, Target]:
    """``--map`` options: ``Header=field``, ``Header=note:KIND``, ``Header=column``,
    ``Header=ignore``; keyed by header_key."""
    found: dict[str, Target] = {}
    for item in items:
        header, sep, target = item.partition("=")
        target = target.strip()
        target = target.lower() if target.isascii() else target
        if not sep or not header.strip() or not target:
            raise InvalidInput(f"--map wants Header=field, got {item!r}", field="map")
        if target.startswith("note:"):
            kind = target[5:]
            if kind not in {k.value for k in NoteKind}:
                raise InvalidInput(f"--map {item!r}: note kinds are {KINDS}", field="map")
            found[header_key(header)] = Target("note", kind)
        elif target in ("column", "ignore"):
            found[header_key(header)] = Target(target, header.strip())
        elif target in FIELD_NAMES:
            found[header_key(header)] = Target("field", target)
        else:
            known = ", ".join((*FIELDS, "note:KIND", "column", "ignore"))
            raise InvalidInput(f"--map {item!r}: unknown field (known: {known})", field="map")
    return found


def read_rows(data: bytes, source: str) -> list[list[str]]:
    """Every row of the file's first sheet as text cells (the header first)."""
    if source.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    dialect: Any = "excel-tab" if source.lower().endswith(".tsv") else "excel"
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ImportFailed(f"{source}: not a readable CSV file ({exc})") from exc


def _xlsx_rows(data: bytes, source: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFailed(f"{source}: not a readable XLSX file ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_table(
    data: bytes,
    source: str,
    *,
    mapping: dict[str, Target] | None = None,
    existing: dict[str, ColumnType] | None = None,
) -> TableImport:
    """Rows to records; ``existing`` names the paper columns already defined (and their types)."""
    rows = read_rows(data, source)
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportFailed(f"{source}: the file has no header row")
    header = [h.strip() for h in rows[0]]
    result = TableImport(source)
    targets = _map_headers(header, mapping or {}, existing or {})
    result.mapping = {h: t for h, t in zip(header, targets, strict=True) if h}
    if not any(t == Target("field", "title") for t in targets):
        raise ImportFailed(
            f"{source}: no title column (headers: {', '.join(h for h in header if h)});"
            " map one with --map 'Header=title'"
        )
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    columns = {
        h: _infer(h, [r[i] for _, r in body if i < len(r)])
        for i, (h, t) in enumerate(zip(header, targets, strict=True))
        if t.kind == "column" and h not in (existing or {})
    }
    result.columns = list(columns.values())
    seen = _Seen()
    for number, cells in body:
        result.rows.append(_row(number, header, targets, cells, columns, source, seen))
    return result


def _map_headers(
    header: Sequence[str], mapping: dict[str, Target], existing: dict[str, ColumnType]
) -> list[Target]:
    by_name = {header_key(n): f for f, names in FIELD_NAMES.items() for n in names}
    targets: list[Target] = []
    taken: set[str] = set()
    for name in header:
        key = header_key(name)
        if not name:
            target = Target("ignore")
        elif key in mapping:
            target = mapping[key]
            target = Target("column", name) if target.kind == "column" else target
        elif name in existing:
            target = Target("column", name)
        elif key in by_name and by_name[key] not in taken:
            target = Target("field", by_name[key])
        elif key in NOTE_NAMES:
            target = Target("note", NOTE_NAMES[key].value)
        else:
            target = Target("column", name)
        if target.kind == "field":
            taken.add(target.name)
        targets.append(target)
    return targets


def _infer(name: str, values: list[str]) -> InferredColumn:
    """The type the non-empty values of a column suggest."""
    present = [v.strip() for v in values if v.strip()]
    distinct = list(dict.fromkeys(present))
    if not present:
        return InferredColumn(name, ColumnType.text)
    if all(re.fullmatch(r"[-+]?\d+", v) for v in distinct):
        return InferredColumn(name, ColumnType.integer)
    if all(_is_number(v) for v in distinct):
        return InferredColumn(name, ColumnType.number)
    lowered = {v.lower() for v in distinct}
    if lowered <= {"yes", "no", "true", "false", "y", "n"}:
        return InferredColumn(name, ColumnType.yes_no)
    if len(distinct) == 1 and len(present) < len(values):
        return InferredColumn(name, ColumnType.yes_no, yes=distinct[0])
    if all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", v) for v in distinct):
        return InferredColumn(name, ColumnType.date)
    if all(re.fullmatch(r"https?://\S+", v) for v in distinct):
        return InferredColumn(name, ColumnType.link)
    short = all(len(v) <= 60 and "|" not in v for v in distinct)
    if short and len(distinct) <= MAX_CHOICES and len(distinct) * 3 <= len(present) * 2:
        return InferredColumn(name, ColumnType.choice, options=sorted(distinct, key=str.lower))
    return InferredColumn(name, ColumnType.text)


def _is_number(text: str) -> bool:
    """A number or a range (``0.1 to 0.3``, ``0.17 (0.1 to 0.3)``) as a number column reads."""
    try:
        parse_estimate(text)
    except InvalidInput:
        return False
    return True


@dataclass
class _Seen:
    """What a sheet repeats row after row, made once a file: each person by the name as
    written (one record shared by every row naming them: fewer objects for the garbage
    collector to walk) and each area cell's paths."""

    people: dict[str, AuthorRecord] = field(default_factory=dict)
    areas: dict[str, list[str]] = field(default_factory=dict)


def _row(
    number: int,
    header: Sequence[str],
    targets: Sequence[Target],
    cells: Sequence[str],
    columns: dict[str, InferredColumn],
    source: str,
    seen: _Seen,
) -> TableRow:
    values: dict[str, str] = {}
    record = PaperRecord(
        title="", source=SourceKind.manual, source_detail=f"{source} row {number}", line=number
    )
    row = TableRow(number, record)
    urls: list[str] = []
    for name, target, cell in zip(header, targets, cells, strict=False):
        text = cell.strip()
        if not text or target.kind == "ignore":
            continue
        if target.kind == "field":
            values[target.name] = text
        elif target.kind == "note":
            row.notes.append((NoteKind(target.name), text))
        else:
            inferred = columns.get(name)
            if inferred is not None and inferred.yes is not None:
                row.fields[name] = text == inferred.yes
            else:
                row.fields[name] = text
        if text.startswith("http") and _URL.fullmatch(text):
            urls.append(text)
    _fill_record(row, values, urls, seen)
    return row


def _fill_record(row: TableRow, values: dict[str, str], urls: list[str], seen: _Seen) -> None:
    record = row.record
    record.title = " ".join(values.get("title", "").split())
    record.key = values.get("key") or None
    names = _split_names(values.get("authors", ""))
    if names:
        people = seen.people
        record.authors = [people.get(n) or people.setdefault(n, _person(n)) for n in names]
    year = values.get("year", "")
    record.year = int(year) if re.fullmatch(r"-?\d{1,4}", year) else None
    if year and record.year is None:
        row.notes.append((NoteKind.note, f"year: {year}"))
    record.date = values.get("date") or None
    record.venue = values.get("venue") or None
    record.abstract = values.get("abstract") or None
    record.annotation = values.get("annotation") or None
    record.url = values.get("url") or next(iter(urls), None)
    tags = values.get("tags")
    if tags:
        record.tags = [t.strip() for t in re.split(r"[;,]", tags) if t.strip()]
    record.doi = normalize_doi(values.get("doi")) or _first(normalize_doi, urls)
    found = try_arxiv_id(values.get("arxiv")) or _first(_arxiv_of_url, urls)
    if found is not None:
        record.arxiv_id, record.arxiv_version = found.id, found.version
    areas = values.get("area")
    if areas:
        paths = seen.areas.get(areas)
        if paths is None:
            paths = seen.areas[areas] = [
                _area_path(a) for a in re.split(r"[;\n]", areas) if a.strip()
            ]
        row.areas = list(paths)
    row.status = values.get("status")
    row.rating = values.get("rating")


def _first(parse: Any, urls: list[str]) -> Any:
    for url in urls:
        found = parse(url)
        if found is not None:
            return found
    return None


def _arxiv_of_url(url: str) -> Any:
    return try_arxiv_id(url) if "arxiv.org/" in url.lower() else None


def _area_path(text: str) -> str:
    """``"A > B"`` or ``"A/B"`` -> ``"A/B"``."""
    parts = re.split(r"\s*(?:>|/)\s*", text.strip())
    return "/".join(" ".join(p.split()) for p in parts if p.strip())


def _split_names(text: str) -> list[str]:
    if not text.strip():
        return []
    separator = ";" if ";" in text else (" and " if " and " in text else ",")
    return [n.strip().rstrip("*").strip() for n in text.split(separator) if n.strip(" *")]


def _person(name: str) -> AuthorRecord:
    split = split_display_name(name)
    return AuthorRecord(name=split.display, family=split.family, given=split.given)
