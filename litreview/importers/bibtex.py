"""BibTeX/BibLaTeX files to paper records, with every problem reported by line.

Pure: bytes or text in, :class:`ImportResult` out. bibtexparser v2's splitter finds the blocks
(entries, ``@string``, ``@preamble``, comments, failed blocks); this module evaluates field
values (macros, ``#`` concatenation, month names), applies ``crossref``/``xdata``
inheritance, decodes LaTeX only where a field has any, and maps fields onto
:class:`PaperRecord`. Every field we do not model goes to ``extra`` as written (after macro
expansion); the input text of modelled fields goes to ``original`` so an export gives back what
came in. bibtexparser's LaTeX-decoding middleware is not used: it costs ~40x the parse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from bibtexparser.splitter import Splitter

from litreview.importers.bibfields import FieldMapper
from litreview.importers.bibvalues import MONTHS, Macros, evaluate
from litreview.importers.encoding import decode_bibtex_bytes
from litreview.importers.records import ImportResult, PaperRecord, Problem

# bibtexparser logs each failed block; we report them as problems instead (and a library should
# not print to stderr through logging's last-resort handler).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# Entries that hold data for other entries rather than being papers.
DATA_ONLY_TYPES = frozenset({"xdata"})
_IN_TYPES = frozenset(
    {
        "inproceedings",
        "incollection",
        "inbook",
        "bookinbook",
        "suppbook",
        "suppcollection",
        "inreference",
        "conference",
    }
)
# Fields never inherited: identity, links and what belongs to one paper only.
_NOT_INHERITED = frozenset(
    {
        "crossref",
        "xref",
        "xdata",
        "ids",
        "entryset",
        "label",
        "shorthand",
        "sortkey",
        "key",
        "doi",
        "eprint",
        "eprinttype",
        "archiveprefix",
        "eprintclass",
        "primaryclass",
        "url",
        "urldate",
        "abstract",
        "keywords",
        "annotation",
        "annote",
        "file",
        "note",
        "title",
        "subtitle",
        "titleaddon",
        "shorttitle",
        "related",
        "arxivid",
    }
)


@dataclass
class _Item:
    """One entry on its way to a record."""

    entry: Entry
    line: int
    key: str
    entry_type: str
    fields: dict[str, str] = field(default_factory=dict)
    inherited: list[str] = field(default_factory=list)


def parse_bibtex(data: bytes | str, *, source: str) -> ImportResult:
    """Records and problems of a BibTeX file (bytes are decoded; the encoding goes in info)."""
    result = ImportResult()
    if isinstance(data, bytes):
        decoded = decode_bibtex_bytes(data, source=source)
        text = decoded.text
        result.info.update(encoding=decoded.encoding, encoding_how=decoded.how)
        if decoded.declared:
            result.info["encoding_declared"] = decoded.declared
        if decoded.note:
            result.info["encoding_note"] = decoded.note
            result.problems.append(Problem(decoded.note, source, kind="info"))
    else:
        text = data
        result.info.update(encoding="unicode", encoding_how="text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _Parser(source, result).run(text)
    return result


class _Parser:
    def __init__(self, source: str, result: ImportResult) -> None:
        self.source = source
        self.result = result
        self.macros = Macros()
        self.items: list[_Item] = []
        self.counts = {"entries": 0, "strings": 0, "preambles": 0, "comments": 0, "failed": 0}
        self.text = ""
        self.offsets: list[int] | None = None

    def problem(self, message: str, line: int | None, key: str | None, kind: str) -> None:
        self.result.problems.append(Problem(message, self.source, line, key or None, kind))

    def run(self, text: str) -> None:
        self.text = text
        library = Splitter(text).split()
        for block in library.blocks:
            self._block(block)
        for item in self.items:
            self._evaluate(item)
        by_key = {item.key.lower(): item for item in self.items if item.key}
        for item in self.items:
            self._inherit(item, by_key, set())
        mapper = FieldMapper(self.source, self.result.problems)
        for item in self.items:
            if item.entry_type in DATA_ONLY_TYPES:
                continue
            record: PaperRecord = mapper.record(
                item.key, item.entry_type, item.fields, item.line, item.inherited
            )
            self.result.records.append(record)
        self.result.info.update(self.counts, records=len(self.result.records))

    def _block(self, block: object) -> None:
        if isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            assert isinstance(entry, Entry)
            names = ", ".join(sorted(block.duplicate_keys))
            self.problem(
                f"field {names} given more than once; the first value was kept",
                _line(block),
                entry.key,
                "warning",
            )
            self._entry(entry)
        elif isinstance(block, DuplicateBlockKeyBlock):
            self._duplicate(block)
        elif isinstance(block, ParsingFailedBlock):
            self._failed(block)
        elif isinstance(block, Entry):
            self._entry(block)
        elif isinstance(block, String):
            self.counts["strings"] += 1
            self.macros.define(block.key, self._value(block.value, block.start_line, block.key))
        elif isinstance(block, Preamble):
            self.counts["preambles"] += 1
        elif isinstance(block, ExplicitComment | ImplicitComment):
            self.counts["comments"] += 1

    def _duplicate(self, block: DuplicateBlockKeyBlock) -> None:
        inner = block.ignore_error_block
        previous = block.previous_block
        where = f" (first at line {_line(previous)})" if previous is not None else ""
        if isinstance(inner, String):
            self.counts["strings"] += 1
            self.problem(
                f"@string {block.key} defined again{where}; the later value is used",
                _line(block),
                block.key,
                "warning",
            )
            self.macros.define(inner.key, self._value(inner.value, inner.start_line, inner.key))
            return
        assert isinstance(inner, Entry)
        self.problem(
            f"duplicate citation key {block.key!r}{where}; both entries kept, this one gets a new"
            " key",
            _line(block),
            block.key,
            "warning",
        )
        self._entry(inner)

    def _failed(self, block: ParsingFailedBlock) -> None:
        if self.offsets is None:
            self.offsets = _line_offsets(self.text)
        recovered = _recover_keyless(block, self.text, self.offsets)
        if recovered is not None:
            self._entry(recovered, line=_line(block))
            return
        self.counts["failed"] += 1
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        raw = (block.raw or "").lstrip()
        head = raw.split("\n", 1)[0][:60]
        self.problem(f"could not parse {head!r}: {reason}", _line(block), None, "error")

    def _entry(self, entry: Entry, line: int | None = None) -> None:
        self.counts["entries"] += 1
        key = entry.key.strip()
        item = _Item(entry, line or _line(entry) or 0, key, entry.entry_type.lower())
        if not key:
            self.problem(
                "entry has no citation key; one will be generated", item.line, None, "warning"
            )
        self.items.append(item)

    def _value(self, raw: str, line: int | None, key: str | None) -> str:
        value, undefined = evaluate(raw, self.macros)
        for name in undefined:
            self.problem(
                f"undefined macro {name!r} kept as text",
                (line + 1) if line is not None else None,
                key,
                "warning",
            )
        return value

    def _evaluate(self, item: _Item) -> None:
        fields = item.fields
        for f in item.entry.fields:
            name = f.key.strip().lower()
            if name in fields or not name:
                continue
            raw = f.value
            if name == "month" and raw.strip().lower() in MONTHS and not self.macros.user(raw):
                fields[name] = raw.strip().lower()
                continue
            fields[name] = self._value(raw, f.start_line, item.key)

    def _inherit(self, item: _Item, by_key: dict[str, _Item], seen: set[str]) -> None:
        """Fill missing fields from ``crossref`` and ``xdata`` parents (parents first)."""
        parents = []
        if "crossref" in item.fields:
            parents.append(("crossref", item.fields["crossref"].strip()))
        if "xdata" in item.fields:
            parents += [("xdata", k.strip()) for k in item.fields["xdata"].split(",") if k.strip()]
        if not parents or item.key.lower() in seen:
            return
        seen = seen | {item.key.lower()}
        for kind, parent_key in parents:
            parent = by_key.get(parent_key.lower())
            if parent is None:
                self.problem(
                    f"{kind} {parent_key!r} names no entry of this file", item.line, item.key,
                    "warning",
                )  # fmt: skip
                continue
            if parent.key.lower() in seen:
                self.problem(
                    f"{kind} cycle through {parent_key!r}; not followed", item.line, item.key,
                    "warning",
                )  # fmt: skip
                continue
            self._inherit(parent, by_key, seen)
            for name, value in _inheritable(parent, item, kind):
                if name not in item.fields:
                    item.fields[name] = value
                    item.inherited.append(name)


def _inheritable(parent: _Item, child: _Item, kind: str) -> list[tuple[str, str]]:
    """The parent's fields as the child inherits them (biblatex's title mapping included)."""
    out = [(n, v) for n, v in parent.fields.items() if n not in _NOT_INHERITED]
    if kind == "xdata":
        return out
    titles = ("title", "subtitle", "titleaddon")
    if parent.entry_type.startswith("mv"):
        targets: tuple[str, ...] = ("maintitle", "mainsubtitle", "maintitleaddon")
    elif parent.entry_type == "periodical":
        targets = ("journaltitle", "journalsubtitle", "journaltitleaddon")
    elif child.entry_type in _IN_TYPES:
        targets = ("booktitle", "booksubtitle", "booktitleaddon")
    else:
        return out
    mapped = [
        (t, parent.fields[s]) for s, t in zip(titles, targets, strict=True) if s in parent.fields
    ]
    return mapped + out


def _line(block: object) -> int | None:
    """A block's 1-based line (bibtexparser counts from 0)."""
    start = getattr(block, "start_line", None)
    return start + 1 if isinstance(start, int) else None


def _recover_keyless(block: ParsingFailedBlock, text: str, offsets: list[int]) -> Entry | None:
    """An entry written without a citation key (``@article{`` then ``year = ...``), or None.

    The splitter gives up at the first ``=``; the entry is split again, up to the next line
    starting with ``@``, with a placeholder key.
    """
    raw = block.raw or ""
    start_line = block.start_line
    if isinstance(block, DuplicateBlockKeyBlock) or not raw.startswith("@") or start_line is None:
        return None
    opening = min((i for i in (raw.find("{"), raw.find("(")) if i > 0), default=-1)
    if opening < 0 or raw[1:opening].strip().lower() in ("string", "comment", "preamble"):
        return None
    if "=" not in raw[opening + 1 :].split(",", 1)[0]:
        return None
    begin = text.find(raw, offsets[min(start_line, len(offsets) - 1)])
    if begin < 0:
        return None
    end = text.find("\n@", begin + len(raw))
    chunk = text[begin : end if end >= 0 else len(text)]
    library = Splitter(f"{chunk[: opening + 1]}litreviewnokey,{chunk[opening + 1 :]}").split()
    if len(library.entries) != 1 or library.failed_blocks:
        return None
    entry = library.entries[0]
    entry.key = ""
    return entry


def _line_offsets(text: str) -> list[int]:
    """Where each (0-based) line of ``text`` starts."""
    offsets = [0]
    index = text.find("\n")
    while index >= 0:
        offsets.append(index + 1)
        index = text.find("\n", index + 1)
    return offsets
