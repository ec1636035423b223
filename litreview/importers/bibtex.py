"""BibTeX/BibLaTeX files to paper records, with every problem reported by line.

Pure: bytes or text in, :class:`ImportResult` out. bibtexparser v2's splitter finds the blocks
(entries, ``@string``, ``@preamble``, comments, failed blocks); this module evaluates field
values (macros, ``#`` concatenation, month names), applies ``crossref``/``xdata``
inheritance, decodes LaTeX only where a field has any, and maps fields onto
:class:`PaperRecord`. Every field we do not model goes to ``extra`` as written (after macro
expansion); the input text of modelled fields goes to ``original`` so an export gives back what
came in. bibtexparser's LaTeX-decoding middleware is not used: it costs ~40x the parse.

The text is split in pieces at lines that start a block, and records come out in batches as
the pieces are parsed (:func:`parse_bibtex_batches`), so an import stores each batch as it comes
and never holds the whole file's records at once. Parsing in
pieces gives exactly what parsing the whole text gives; ``tests/test_bibtex_pieces.py`` checks
that on every corpus file.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from bibtexparser.model import (
    Block,
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
from litreview.importers.bibvalues import MONTHS, ExpansionTooLong, Macros, evaluate
from litreview.importers.encoding import decode_bibtex_bytes
from litreview.importers.records import ImportResult, PaperRecord, Problem

# bibtexparser logs each failed block; we report them as problems instead (and a library should
# not print to stderr through logging's last-resort handler).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# Entries that hold data for other entries rather than being papers.
DATA_ONLY_TYPES = frozenset({"xdata"})
# The type given to an entry that failed while its fields were evaluated (never a record).
FAILED_TYPE = "_failed"
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

    # The parsed block, until its fields are evaluated (then dropped: a large file's blocks
    # would otherwise stay alive, and be walked by every garbage collection, until its end).
    entry: Entry | None
    line: int
    key: str
    entry_type: str
    # Added to the 0-based line of each of the entry's fields to make it the file's.
    field_offset: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    inherited: Sequence[str] = ()


@dataclass
class _Piece:
    """A piece of the text that ends where a block starts, and the line it starts on."""

    text: str
    line: int
    # The start of the next block (``@type{}``), put after the piece so that a block the
    # piece leaves open ends exactly as it would in the whole text; '' for the last piece.
    sentinel: str


PIECE_CHARS = 256 * 1024
FIRST_PIECE_CHARS = 32 * 1024

# A block start as bibtexparser's splitter sees one (``@`` + type, before ``{`` or ``(``),
# at the start of a line (after optional white space). Such a mark always starts a new block:
# the splitter aborts a block it is still in when it meets one. So the text can be split
# there and each piece split on its own, with the same blocks as a split of the whole.
_LINE_START_BLOCK = re.compile(r"^[^\S\n]*(@\w*[ \t]*)(?=[{(])", re.MULTILINE)
_STRING_MENTION = re.compile(r"@string", re.IGNORECASE)


def parse_bibtex(data: bytes | str, *, source: str) -> ImportResult:
    """Records and problems of a BibTeX file (bytes are decoded; the encoding goes in info)."""
    text, result = decode_bibtex(data, source=source)
    for batch in parse_bibtex_batches(text, result, source=source):
        result.records.extend(batch)
    return result


def decode_bibtex(data: bytes | str, *, source: str) -> tuple[str, ImportResult]:
    """The text of a file (line ends made ``\\n``) and a result saying how it was decoded.

    Raises ImportFailed when bytes cannot be decoded, before anything is parsed.
    """
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
    return text, result


def parse_bibtex_batches(
    text: str,
    result: ImportResult,
    *,
    source: str,
    piece_chars: int = PIECE_CHARS,
    first_piece_chars: int = FIRST_PIECE_CHARS,
) -> Iterator[list[PaperRecord]]:
    """The records of ``text`` in batches, in file order, while the parse goes on.

    The text is split in pieces of about ``piece_chars`` characters (the first one smaller),
    so a consumer can store one batch while the next is parsed. Entries that inherit through
    ``crossref``/``xdata`` come in the last batch, once every parent is known. Problems and
    counts go to ``result``; the problems are sorted by line when the last batch is out.
    """
    parser = _Parser(source, result)
    return parser.batches(text, piece_chars, first_piece_chars)


class _Parser:
    def __init__(self, source: str, result: ImportResult) -> None:
        self.source = source
        self.result = result
        self.macros = Macros()
        self.mapper = FieldMapper(source, result.problems)
        self.items: list[_Item] = []
        self.counts = {"entries": 0, "strings": 0, "preambles": 0, "comments": 0, "failed": 0}
        # The first entry and @string of each key, and its line, across pieces.
        self.entry_keys: dict[str, int | None] = {}
        self.string_keys: dict[str, int | None] = {}
        # The piece being split: its text, line offset and (when needed) line starts.
        self.text = ""
        self.offset = 0
        self.offsets: list[int] | None = None

    def problem(self, message: str, line: int | None, key: str | None, kind: str) -> None:
        self.result.problems.append(Problem(message, self.source, line, key or None, kind))

    def batches(self, text: str, piece_chars: int, first_chars: int) -> Iterator[list[PaperRecord]]:
        self._define_strings(text)
        # bibtexparser does not count a newline after a backslash (it reads it as escaped), so
        # its line numbers drift after a LaTeX ``\\`` at the end of a line; in such a file the
        # text is cut before every block, and each block's line is counted here instead.
        every_block = "\\\n" in text
        waiting: list[_Item] = []  # entries with crossref/xdata parents
        batch: list[PaperRecord] = []
        batch_chars, done = 0, 0
        limit = _piece_limit(0, len(text), piece_chars, first_chars)
        marks = ((m.start(1), m.group(1)) for m in _LINE_START_BLOCK.finditer(text))
        for piece in _pieces(text, marks, 0 if every_block else piece_chars, first_chars):
            first = len(self.items)
            self.text, self.offset, self.offsets = piece.text, piece.line, None
            for block in _split(piece):
                self._block(block)
            for item in self.items[first:]:
                if not self._evaluate(item):
                    continue
                if "crossref" in item.fields or "xdata" in item.fields:
                    waiting.append(item)
                elif item.entry_type not in DATA_ONLY_TYPES:
                    batch.append(self._record(item))
            batch_chars += len(piece.text)
            if batch and batch_chars >= limit:
                yield batch
                done += batch_chars
                batch, batch_chars = [], 0
                limit = _piece_limit(done, len(text), piece_chars, first_chars)
        by_key = {item.key.lower(): item for item in self.items if item.key}
        for item in waiting:
            self._inherit(item, by_key, set())
        batch += [self._record(item) for item in waiting if item.entry_type not in DATA_ONLY_TYPES]
        records = sum(
            1 for item in self.items if item.entry_type not in (*DATA_ONLY_TYPES, FAILED_TYPE)
        )
        self.result.info.update(self.counts, records=records)
        self.result.problems.sort(key=lambda p: p.line or 0)
        if batch:
            yield batch

    def _record(self, item: _Item) -> PaperRecord:
        return self.mapper.record(item.key, item.entry_type, item.fields, item.line, item.inherited)

    def _define_strings(self, text: str) -> None:
        """Define every ``@string`` macro, in file order, before any entry is evaluated.

        BibTeX files define macros before use, but a file may also use one first or define it
        twice; as when the whole file is split at once, every entry sees the last definition.
        Only the stretches between block starts where ``@string`` is written are split here.
        """
        if _STRING_MENTION.search(text) is None:
            return
        starts = [m.start(1) for m in _LINE_START_BLOCK.finditer(text)]
        done, counted, line = -2, 0, 0
        for mention in _STRING_MENTION.finditer(text):
            at = bisect.bisect_right(starts, mention.start()) - 1
            if at == done:
                continue
            done = at
            begin = starts[at] if at >= 0 else 0
            end = starts[at + 1] if at + 1 < len(starts) else len(text)
            line += text.count("\n", counted, begin)
            counted = begin
            for block in Splitter(text[begin:end]).split().blocks:
                inner = (
                    block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else block
                )
                if isinstance(inner, String):
                    try:
                        value = self._value(inner.value, _line(inner, line), inner.key)
                    except ExpansionTooLong as exc:
                        self.problem(
                            f"{exc}; entries using @string {inner.key} are not imported",
                            _line(inner, line),
                            inner.key,
                            "warning",
                        )
                        self.macros.define_too_long(inner.key)
                        continue
                    self.macros.define(inner.key, value)

    def _register(self, block: object) -> object:
        """The block, or a duplicate-key block when its key was used earlier in the file."""
        if isinstance(block, DuplicateBlockKeyBlock):
            block = block.ignore_error_block  # a duplicate within the piece; checked again
        if isinstance(block, Entry | String):
            known = self.entry_keys if isinstance(block, Entry) else self.string_keys
            if block.key not in known:
                known[block.key] = _line(block, self.offset)
                return block
            return _Duplicate(block, known[block.key])
        return block

    def _block(self, block: object) -> None:
        block = self._register(block)
        if isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            assert isinstance(entry, Entry)
            names = ", ".join(sorted(block.duplicate_keys))
            self.problem(
                f"field {names} given more than once; the first value was kept",
                _line(block, self.offset),
                entry.key,
                "warning",
            )
            self._entry(entry)
        elif isinstance(block, _Duplicate):
            self._duplicate(block)
        elif isinstance(block, ParsingFailedBlock):
            self._failed(block)
        elif isinstance(block, Entry):
            self._entry(block)
        elif isinstance(block, String):
            self.counts["strings"] += 1  # defined by _define_strings
        elif isinstance(block, Preamble):
            self.counts["preambles"] += 1
            try:
                text = self._value(block.value, _line(block, self.offset), None)
            except ExpansionTooLong as exc:
                self.problem(f"{exc}; @preamble not kept", _line(block, self.offset), None, "error")
            else:
                self.result.preambles.append(text)
        elif isinstance(block, ExplicitComment | ImplicitComment):
            self.counts["comments"] += 1

    def _duplicate(self, duplicate: _Duplicate) -> None:
        inner = duplicate.block
        line = _line(inner, self.offset)
        where = f" (first at line {duplicate.first_line})" if duplicate.first_line else ""
        if isinstance(inner, String):
            self.counts["strings"] += 1
            self.problem(
                f"@string {inner.key} defined again{where}; the later value is used",
                line,
                inner.key,
                "warning",
            )
            return
        self.problem(
            f"duplicate citation key {inner.key!r}{where}; both entries kept, this one gets a new"
            " key",
            line,
            inner.key,
            "warning",
        )
        self._entry(inner)

    def _failed(self, block: ParsingFailedBlock) -> None:
        if self.offsets is None:
            self.offsets = _line_offsets(self.text)
        recovered = _recover_keyless(block, self.text, self.offsets)
        line = _line(block, self.offset)
        if recovered is not None:
            # The recovered entry was split again on its own: its fields count from its line.
            self._entry(recovered, line=line, field_offset=(line or 1) - 1)
            return
        self.counts["failed"] += 1
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        raw = (block.raw or "").lstrip()
        head = raw.split("\n", 1)[0][:60]
        self.problem(f"could not parse {head!r}: {reason}", line, None, "error")

    def _entry(
        self, entry: Entry, line: int | None = None, field_offset: int | None = None
    ) -> None:
        self.counts["entries"] += 1
        key = entry.key.strip()
        line = line or _line(entry, self.offset) or 0
        offset = self.offset if field_offset is None else field_offset
        item = _Item(entry, line, key, entry.entry_type.lower(), offset)
        if not key:
            self.problem(
                "entry has no citation key; one will be generated", item.line, None, "warning"
            )
        self.items.append(item)

    def _value(self, raw: str, line: int | None, key: str | None) -> str:
        value, undefined = evaluate(raw, self.macros)
        for name in undefined:
            self.problem(f"undefined macro {name!r} kept as text", line, key, "warning")
        return value

    def _evaluate(self, item: _Item) -> bool:
        """Evaluate the entry's fields; False (and a failure reported) when it cannot be."""
        try:
            self._evaluate_fields(item)
        except ExpansionTooLong as exc:
            self.counts["failed"] += 1
            item.entry_type = FAILED_TYPE
            self.problem(f"{exc}; entry not imported", item.line, item.key, "error")
            return False
        return True

    def _evaluate_fields(self, item: _Item) -> None:
        fields = item.fields
        macros = self.macros
        entry, item.entry = item.entry, None
        for f in entry.fields if entry is not None else ():
            name = f.key.strip().lower()
            if name in fields or not name:
                continue
            raw = f.value
            if name == "month" and raw.strip().lower() in MONTHS and not macros.user(raw):
                fields[name] = raw.strip().lower()  # a month macro stays one
                continue
            if raw[:1] == "{" and raw[-1:] == "}":
                inner = raw[1:-1]
                if "{" not in inner and "}" not in inner:  # most values: {text}
                    fields[name] = inner if name != "month" else _literal_month(inner)
                    continue
            value, undefined = evaluate(raw, macros)
            for macro in undefined:
                line = _line(f, item.field_offset)
                self.problem(f"undefined macro {macro!r} kept as text", line, item.key, "warning")
            fields[name] = value if name != "month" else _literal_month(value)

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
                    item.inherited = [*item.inherited, name]


def _literal_month(value: str) -> str:
    """A month written as text: ``{mar}`` is kept apart from the macro ``mar`` (braced)."""
    return f"{{{value}}}" if value in MONTHS else value


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


def _line(block: object, offset: int = 0) -> int | None:
    """A block's (or field's) 1-based line in the file: bibtexparser counts from 0 in its piece."""
    start = getattr(block, "start_line", None)
    return start + 1 + offset if isinstance(start, int) else None


@dataclass
class _Duplicate:
    """An entry or @string whose key was used by an earlier block of the file."""

    block: Entry | String
    first_line: int | None


def _pieces(
    text: str, marks: Iterable[tuple[int, str]], piece_chars: int, first_chars: int
) -> Iterator[_Piece]:
    begin, line = 0, 0
    limit = _piece_limit(0, len(text), piece_chars, first_chars)
    for position, mark in marks:
        if position - begin >= limit:
            # An empty block of the same type ({} would be a failed @string, logged as such).
            closing = "{s=s}" if mark.lower().startswith("@string") else "{}"
            yield _Piece(text[begin:position], line, mark + closing)
            line += text.count("\n", begin, position)
            begin = position
            limit = _piece_limit(begin, len(text), piece_chars, first_chars)
    yield _Piece(text[begin:], line, "")


def _piece_limit(done: int, total: int, piece_chars: int, first_chars: int) -> int:
    """How long the next piece is: short at the start and at the end, so that storing the
    first batch starts soon and storing the last one ends soon after the parse."""
    if done == 0:
        return min(first_chars, piece_chars)
    if total - done < 2 * piece_chars:
        return min(max(first_chars, piece_chars // 4), piece_chars)
    return piece_chars


def _split(piece: _Piece) -> list[Block]:
    """The blocks of a piece, without the sentinel that closes it."""
    blocks = Splitter(piece.text + piece.sentinel).split().blocks
    if piece.sentinel:
        last = blocks.pop() if blocks else None
        if last is None or last.raw != piece.sentinel:
            raise RuntimeError(
                f"BibTeX piece at line {piece.line + 1} did not end where the next block starts"
            )
    return blocks


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
