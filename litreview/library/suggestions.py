"""Relations suggested by the papers themselves, for the user to accept or dismiss.

Found in one pass over the library: the database itself picks the papers whose title, arXiv
comment, journal reference, abstract or annotation may hold an arXiv id or a DOI (a dot before
four digits, a slash before seven: SQLite's GLOB, PostgreSQL's ``~``, both in C), whose title
begins with "Comment", "Reply", "Erratum"... (by the indexed title fingerprint), or whose BibTeX
``related``, ``crossref`` or ``cites`` names another entry, and sends only their rows. Those are
scanned; the ids, DOIs, keys and titles they mention are looked up at once, by index. Mentions
of another library paper (by arXiv id, DOI, BibTeX key, or after "Comment on" its exact title)
become suggestions with where they were found. The words before a mention say which relation:
"comment on" critiques, "reply to" responds to, "erratum" corrects, "published as" is the same
work published, "superseded by" supersedes; other mentions cite. A pair once suggested is never
suggested again: accepted ones became relations, dismissed ones stay dismissed.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import Conflict, NotFound
from litreview.library.bulk import bulk_insert, chunks
from litreview.library.links import add_link
from litreview.models import (
    NAMES_OTHERS,
    Annotation,
    Paper,
    PaperLink,
    PaperSuggestion,
    Relation,
    SuggestionState,
    utcnow,
)
from litreview.normalize import normalize_doi, title_fingerprint

# arXiv ids as they appear in running text: 0808.0620, arXiv:2305.01610v2, quant-ph/0208078.
# Each pattern starts with a literal character ("." or "/") that the regex engine finds fast;
# the four digits of a new-style id, or the archive of an old-style one, are read backwards.
_NEW_TAIL = re.compile(r"\.(\d{4,5})(?!\d)")
_OLD_TAIL = re.compile(r"/(\d{7})(?!\d)")
_ARCHIVE = re.compile(r"(?<![\w.-])([a-z][a-z-]*)(?:\.[a-z]{2})?$", re.IGNORECASE)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+", re.IGNORECASE)
# The cue nearest before a mention decides the relation; (cue, relation, reversed).
_CUES: list[tuple[str, Relation, bool]] = [
    (r"\bcomments?\b(?:\s+on)?|\bcritique of\b", Relation.critiques, False),
    (r"\b(?:reply|response|rejoinder|responds?|answer)\b(?:\s+to)?", Relation.responds_to, False),
    (r"\b(?:erratum|errata|corrigendum|correction)\b", Relation.corrects, False),
    (
        r"\b(?:superseded|replaced|withdrawn)\b(?:\s+(?:by|in favou?r of))?",
        Relation.supersedes,
        True,
    ),
    (
        r"\b(?:published\s+(?:as|in|at)|journal version|appeared\s+in)\b",
        Relation.published_as,
        False,
    ),
    (r"\b(?:extends?|extension of|builds on)\b", Relation.extends, False),
    (r"\b(?:replicat\w*|reproduc\w*)\b", Relation.replicates, False),
]
# All cues in one pattern (one pass over the text); group cN is cue N.
_ANY_CUE = re.compile("|".join(f"(?P<c{n}>{cue})" for n, (cue, _, _) in enumerate(_CUES)), re.I)
# How far before a mention a cue may be: the near part is searched first (a cue usually sits
# right before the id, "Comment on arXiv:..."), the whole window only when it has none.
_CUE_WINDOW = 160
_CUE_NEAR = 40
# A title that says what the paper is: "Comment on ...", "Reply: ...", "Erratum to ...".
_TITLE_CUE_WORDS = ("comment", "reply", "response", "rejoinder", "erratum", "corrigendum")
# A shorter title (fingerprint) names too many works to be a reference.
_NAMING_TITLE = 20
_TITLE_CUE = re.compile(rf"^\s*({'|'.join(_TITLE_CUE_WORDS)})s?\b\s*(?:on|to|:)?\s*", re.I)
# BibLaTeX relatedtype -> relation (the entry is the source).
_RELATED_TYPES = {
    "reviewof": Relation.critiques,
    "origpubas": Relation.published_as,
    "origpubin": Relation.published_as,
    "reprintof": Relation.published_as,
    "reprintfrom": Relation.published_as,
    "reprint": Relation.published_as,
    "reprintas": Relation.published_as,
}

# The texts a mention can be in, with the name a suggestion gives the place.
_PLACES: tuple[tuple[Any, str], ...] = (
    (col(Paper.title), "title"),
    (col(Paper.arxiv_comment), "arXiv comment"),
    (col(Paper.journal_ref), "journal ref"),
    (col(Paper.abstract), "abstract"),
    (col(Annotation.markdown), "annotation"),
)
_RELATED, _RELATEDTYPE, _CROSSREF, _CITES = (
    col(Paper.extra)[name].as_string() for name in ("related", "relatedtype", "crossref", "cites")
)
# A paper's texts (one column each) and BibTeX fields, as scanned.
_TEXTS = sa.select(
    col(Paper.id), *(text for text, _ in _PLACES), _RELATED, _RELATEDTYPE, _CROSSREF, _CITES
).outerjoin(Annotation, col(Annotation.paper_id) == col(Paper.id))

# What may hold an arXiv id or a DOI: a dot before four digits (a new-style id, a DOI's 10.NNNN)
# or a slash before seven (an old-style id). False positives are fine: the scan decides. In
# Python, two patterns that each begin with a literal character, which the regex engine finds in
# C (an alternation of the two would try every position).
_DOT_DIGITS = re.compile(r"\.\d{4}")
_SLASH_DIGITS = re.compile(r"/\d{7}")
_ID_SQL_REGEX = r"\.[0-9]{4}|/[0-9]{7}"
_ID_GLOBS = ("*.[0-9][0-9][0-9][0-9]*", "*/[0-9][0-9][0-9][0-9][0-9][0-9][0-9]*")


def _may_mention(text: str) -> bool:
    """Whether ``text`` may hold an arXiv id or a DOI (as :func:`_worth_scanning` tests it)."""
    return bool(_DOT_DIGITS.search(text) or ("/" in text and _SLASH_DIGITS.search(text)))


def _worth_scanning(dialect: str) -> Any:
    """Whether a row of :data:`_TEXTS` may mention another paper, tested by the database as it
    reads (only the rows that pass reach Python)."""
    tests: list[Any] = []
    for text, _ in _PLACES:
        if dialect == "sqlite":
            tests += [text.op("GLOB")(pattern) for pattern in _ID_GLOBS]
        else:
            tests.append(text.regexp_match(_ID_SQL_REGEX))
    return sa.or_(*tests, col(Paper.id).in_(_may_name_others(dialect)))


def _naming(
    dialect: str, names: Sequence[str], ids: Sequence[int], titles: Sequence[str]
) -> tuple[Any, dict[str, Any]]:
    """The rows of :data:`_TEXTS` that are one of ``ids``, hold one of these arXiv ids or DOIs
    (any case), or may name a paper by key or by one of these titles (fingerprints): a
    substring test for each name and text. Without names, every row is found through an index
    (a paper made by hand reads a few). The select and the values to bind to it: the select is
    built once for each number of names and titles (building it anew cost a paper made by hand
    more than running it)."""
    naming = [t for t in titles if len(t) >= _NAMING_TITLE]
    params: dict[str, Any] = {"ids": list(ids)}
    params.update((f"name{n}", _like_containing(name)) for n, name in enumerate(names))
    params.update((f"title{n}", _like_containing(title)) for n, title in enumerate(naming))
    return _naming_scan(dialect, len(names), len(naming)), params


def _like_containing(text: str) -> str:
    """A LIKE pattern (escaped with ``/``, as SQLAlchemy's ``autoescape``) holding ``text``."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


@functools.cache
def _naming_scan(dialect: str, names: int, titles: int) -> Any:
    tests = []
    for text, _ in _PLACES:
        # SQLite's LIKE ignores ASCII case already; ILIKE would lower-case every text first.
        like = text.like if dialect == "sqlite" else text.ilike
        tests += [like(sa.bindparam(f"name{n}"), escape="/") for n in range(names)]
    return _TEXTS.where(sa.or_(*tests, col(Paper.id).in_(_may_name_others(dialect, titles))))


def _may_name_others(dialect: str, titles: int | None = None) -> Any:
    """The ids of the papers that can name another by title or key: a title that begins with
    "Comment", "Reply"... (and, given a number of ``titles``, holds one of the titles bound as
    ``title0``...), or a BibTeX field that may name another entry (crossref, related, cites:
    the partial index ``ix_paper_names_others``); and, with ``titles``, the ``ids`` bound.
    Each part is read from an index."""
    paper_id = col(Paper.id)
    parts = [sa.select(paper_id).where(sa.text(NAMES_OTHERS[dialect]))]
    if titles is not None:
        parts.append(sa.select(paper_id).where(paper_id.in_(sa.bindparam("ids", expanding=True))))
    # A title fingerprint is lower-case words: "Comments on X" is "comments on x".
    fingerprint = col(Paper.title_fp)
    naming = [fingerprint.like(sa.bindparam(f"title{n}"), escape="/") for n in range(titles or 0)]
    if titles is not None and not naming:
        return sa.union_all(*parts)
    for word in _TITLE_CUE_WORDS:
        after = word[:-1] + chr(ord(word[-1]) + 1)
        cued = sa.select(paper_id).where(fingerprint >= word, fingerprint < after)
        parts.append(cued.where(sa.or_(*naming)) if naming else cued)
    return sa.union_all(*parts)


@dataclass(frozen=True)
class Finding:
    """One suggested relation: source ``relation`` target, and where it was seen."""

    source_id: int
    target_id: int
    relation: Relation
    found_in: str
    evidence: str


class Kind(enum.Enum):
    """What a mention names its target by."""

    arxiv = "arxiv"
    doi = "doi"
    key = "key"
    title = "title"


@dataclass(frozen=True)
class Mention:
    """A reference seen in one paper's text, before it is known whether the library holds the
    paper it names. ``flipped``: the mentioned paper is the source ("superseded by X")."""

    paper_id: int
    kind: Kind
    value: str
    relation: Relation
    flipped: bool
    found_in: str
    evidence: str


def _cue(text: str, default: Relation) -> tuple[Relation, bool]:
    """The relation the cue nearest the end of ``text`` says (``default`` without one), and
    whether it points back (``(relation, flipped)``)."""
    return _cue_before(text, len(text), default)


def _cue_before(text: str, start: int, default: Relation) -> tuple[Relation, bool]:
    """:func:`_cue` of the text before ``start``."""
    for window in (_CUE_NEAR, _CUE_WINDOW):
        found = list(_ANY_CUE.finditer(text, max(0, start - window), start))
        name = found[-1].lastgroup if found else None
        if name is not None:
            _, relation, flipped = _CUES[int(name[1:])]
            return relation, flipped
        if start <= window:
            break
    return default, False


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 80) : end + 40].split())


def _arxiv_mentions(text: str) -> Iterator[tuple[str, int, int]]:
    """(id, start, end) of each arXiv id in ``text``, in the library's form (an old-style id
    without its subject class: math.GT/0309136 is math/0309136)."""
    if _DOT_DIGITS.search(text):
        yield from _new_style(text)
    if "/" in text:
        for match in _OLD_TAIL.finditer(text):
            archive = _ARCHIVE.search(text, max(0, match.start() - 30), match.start())
            if archive is not None:
                name = archive.group(1).lower()
                yield f"{name}/{match.group(1)}", archive.start(), match.end()


def _new_style(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _NEW_TAIL.finditer(text):
        dot = match.start()
        head = text[dot - 4 : dot]
        if dot >= 4 and head.isdigit() and (dot == 4 or text[dot - 5] not in "0123456789."):
            yield f"{head}.{match.group(1)}", dot - 4, match.end()


def _doi_in_prose(doi: str) -> str:
    """A DOI as running text ends it: without the sentence's punctuation after it, nor a
    bracket that closes around it ("(doi:10.1000/x.7)."); a DOI's own brackets are kept."""
    while doi and doi[-1] in ".,;:!?'\")]":
        closer = doi[-1]
        opener = {")": "(", "]": "["}.get(closer)
        if opener is not None and doi.count(opener) >= doi.count(closer):
            break  # 10.1016/S0140-6736(20)30183-5)
        doi = doi[:-1]
    return doi


# Which mentions a scan keeps: (paper, kind, value) -> keep? (None: every one).
Wanted = Callable[[int, Kind, str], bool] | None


def _mentions(
    paper_id: int, text: str, where: str, title_relation: Relation | None, wanted: Wanted
) -> Iterator[Mention]:
    default = title_relation or (Relation.related if where == "annotation" else Relation.cites)
    found = [(Kind.arxiv, value, start, end) for value, start, end in _arxiv_mentions(text)]
    if "10." in text:
        for match in _DOI.finditer(text):
            doi = normalize_doi(_doi_in_prose(match.group(0)))
            if doi:
                found.append((Kind.doi, doi, *match.span()))
    for kind, value, start, end in found:
        if wanted is not None and not wanted(paper_id, kind, value):
            continue  # before the costlier part: the cue and the snippet
        relation, flipped = _cue_before(text, start, default)
        yield Mention(paper_id, kind, value, relation, flipped, where, _snippet(text, start, end))


def _bibtex(
    paper_id: int, related: str | None, kind: str | None, crossref: str | None, cites: str | None
) -> Iterator[Mention]:
    fields = (
        (related, _RELATED_TYPES.get((kind or "").strip().lower(), Relation.related), "related"),
        (crossref, Relation.related, "crossref"),
        (cites, Relation.cites, "cites"),
    )
    for value, relation, name in fields:
        for key in (value or "").split(","):
            if key.strip():
                evidence = f"{name} = {{{value}}}"
                yield Mention(
                    paper_id, Kind.key, key.strip(), relation, False, f"BibTeX {name}", evidence
                )


def _title_reference(paper_id: int, title: str, cue: re.Match[str]) -> Iterator[Mention]:
    relation, _ = _cue(cue.group(0), Relation.related)
    fingerprint = title_fingerprint(title[cue.end() :].strip(" '\"`“”‘’"))
    if len(fingerprint) >= _NAMING_TITLE:
        yield Mention(paper_id, Kind.title, fingerprint, relation, False, "title", title)


def scan_texts(rows: Iterable[Sequence[Any]], wanted: Wanted = None) -> list[Mention]:
    """Every mention (or every ``wanted`` one) in these rows of :data:`_TEXTS` (pure: no
    database access)."""
    mentions: list[Mention] = []
    for row in rows:
        paper_id, title = row[0], row[1] or ""
        cue = _TITLE_CUE.match(title)
        title_relation = _cue(cue.group(0), Relation.related)[0] if cue else None
        for text, (_, where) in zip(row[1:6], _PLACES, strict=True):
            if text and _may_mention(text):
                mentions.extend(_mentions(paper_id, text, where, title_relation, wanted))
        rare: list[Mention] = []
        if row[6] or row[8] or row[9]:
            rare.extend(_bibtex(paper_id, *row[6:10]))
        if cue:
            rare.extend(_title_reference(paper_id, title, cue))
        mentions += [m for m in rare if wanted is None or wanted(m.paper_id, m.kind, m.value)]
    return mentions


# The column each kind of mention names a paper by.
_NAMED_BY: dict[Kind, Any] = {
    Kind.arxiv: col(Paper.arxiv_id),
    Kind.doi: col(Paper.doi),
    Kind.key: col(Paper.key),
    Kind.title: col(Paper.title_fp),
}
_NAMES_OF = sa.select(*_NAMED_BY.values()).where(
    col(Paper.id).in_(sa.bindparam("ids", expanding=True))
)


def resolve(session: Session, mentions: Sequence[Mention]) -> list[Finding]:
    """The mentions that name a library paper (other than their own), as findings: the named
    values looked up at once per kind (by index), not the whole library's identifiers."""
    connection = session.connection()
    found: dict[tuple[Kind, str], int] = {}
    for kind, column in _NAMED_BY.items():
        values = sorted({m.value for m in mentions if m.kind is kind})
        counts: dict[str, int] = {}
        for chunk in chunks(values):
            stmt = sa.select(column, col(Paper.id)).where(column.in_(chunk))
            for value, paper_id in connection.execute(stmt):
                counts[value] = counts.get(value, 0) + 1
                found[(kind, value)] = paper_id
        # A title names a paper only when exactly one has it.
        for value, count in counts.items():
            if count > 1:
                del found[(kind, value)]
    findings: dict[tuple[int, int, Relation], Finding] = {}
    for m in mentions:
        target = found.get((m.kind, m.value))
        if target is None or target == m.paper_id:
            continue
        source, dest = (target, m.paper_id) if m.flipped else (m.paper_id, target)
        findings.setdefault(
            (source, dest, m.relation), Finding(source, dest, m.relation, m.found_in, m.evidence)
        )
    return list(findings.values())


def refresh_suggestions(session: Session, paper_ids: Sequence[int] | None = None) -> int:
    """Look for new suggestions (in these papers' text, or the whole library's); returns how
    many were added. Pairs already suggested (in any state) or already related are skipped."""
    shaped = _worth_scanning(_dialect(session))
    if paper_ids is None:
        mentions = _scan(session, _TEXTS.where(shaped))
    else:
        mentions = []
        for chunk in chunks(sorted(set(paper_ids))):
            mentions += _scan(session, _TEXTS.where(col(Paper.id).in_(chunk), shaped))
    return _store(session, resolve(session, mentions))


# An import of at most this many papers with at most this many arXiv ids and DOIs looks for those
# names in every text (a substring test each, cheaper than the test of an id's shape up to about
# this many); a larger one reads every paper whose text may hold any id.
_FEW_PAPERS = 100
_FEW_NAMES = 4


def suggest_after_import(session: Session, paper_ids: Sequence[int]) -> int:
    """New suggestions an import brings: in the imported papers' text, and in every paper that
    names an imported one (by its arXiv id, DOI, key or, after "Comment on", its title), whichever
    came first. Returns how many were added."""
    new = sorted(set(paper_ids))
    if not new:
        return 0
    # The imported papers' names, a set by kind (an import of thousands names tens of thousands).
    named: dict[Kind, set[str]] = {kind: set() for kind in _NAMED_BY}
    connection = session.connection()
    for chunk in chunks(new):
        columns = zip(*connection.execute(_NAMES_OF, {"ids": list(chunk)}), strict=True)
        for kind, values in zip(_NAMED_BY, columns, strict=False):
            named[kind].update(filter(None, values))
    names = sorted({_as_written(kind, value) for kind in _IN_TEXT for value in named[kind]})
    params: dict[str, Any] = {}
    if len(new) <= _FEW_PAPERS and len(names) <= _FEW_NAMES:
        titles = sorted(named[Kind.title])
        scan, params = _naming(_dialect(session), names, new, titles)
    else:
        scan = _TEXTS.where(_worth_scanning(_dialect(session)))
    imported = set(new)

    def wanted(paper_id: int, kind: Kind, value: str) -> bool:
        return paper_id in imported or value in named[kind]

    return _store(session, resolve(session, _scan(session, scan, wanted, params)))


_IN_TEXT = (Kind.arxiv, Kind.doi)


def _as_written(kind: Kind, value: str) -> str:
    """What every text naming this id or DOI holds: an old-style id may be cited with its
    subject class (math/0309136 as math.GT/0309136), so its number."""
    return value[value.index("/") :] if kind is Kind.arxiv and "/" in value else value


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def _scan(
    session: Session, scan: Any, wanted: Wanted = None, params: Mapping[str, Any] | None = None
) -> list[Mention]:
    """The (``wanted``) mentions in the rows ``scan`` (a select of :data:`_TEXTS`) reads with
    the values ``params`` binds: one read."""
    session.flush()
    return scan_texts(session.connection().execute(scan, params), wanted)


def _store(session: Session, findings: list[Finding]) -> int:
    if not findings:
        return 0
    connection = session.connection()
    # The pairs already suggested or related, read for these findings' sources only.
    known: set[tuple[int, int, Relation]] = set()
    for chunk in chunks(sorted({f.source_id for f in findings})):
        for table in (PaperSuggestion, PaperLink):
            stmt = sa.select(col(table.source_id), col(table.target_id), col(table.relation)).where(
                col(table.source_id).in_(chunk)
            )
            known |= {(s, t, Relation(r)) for s, t, r in connection.execute(stmt)}
    now = utcnow()
    rows = [
        {
            "source_id": f.source_id,
            "target_id": f.target_id,
            "relation": f.relation,
            "found_in": f.found_in,
            "evidence": f.evidence[:500],
            "state": SuggestionState.pending,
            "created_at": now,
        }
        for f in findings
        if (f.source_id, f.target_id, f.relation) not in known
    ]
    bulk_insert(session, PaperSuggestion, rows)
    return len(rows)


def get_suggestion(session: Session, suggestion_id: int) -> PaperSuggestion:
    found = session.get(PaperSuggestion, suggestion_id)
    if found is None:
        raise NotFound(f"no suggestion with id {suggestion_id}", suggestion_id=suggestion_id)
    return found


def decide_suggestion(session: Session, suggestion_id: int, *, accept: bool) -> PaperSuggestion:
    """Accept (the relation is added) or dismiss (never suggested again) a pending suggestion."""
    found = get_suggestion(session, suggestion_id)
    if found.state != SuggestionState.pending:
        raise Conflict(
            f"suggestion {suggestion_id} was already {found.state.value}", state=found.state.value
        )
    if accept:
        note = f"suggested: found in {found.found_in}"
        add_link(session, found.source_id, found.target_id, found.relation, note=note)
    found.state = SuggestionState.accepted if accept else SuggestionState.dismissed
    session.add(found)
    session.flush()
    return found


def list_suggestions(
    session: Session,
    *,
    paper_id: int | None = None,
    state: SuggestionState | None = SuggestionState.pending,
) -> list[PaperSuggestion]:
    """Suggestions (pending by default), for one paper (either end) or the whole library."""
    stmt = select(PaperSuggestion)
    if state is not None:
        stmt = stmt.where(PaperSuggestion.state == state)
    if paper_id is not None:
        stmt = stmt.where(
            (col(PaperSuggestion.source_id) == paper_id)
            | (col(PaperSuggestion.target_id) == paper_id)
        )
    return list(session.exec(stmt.order_by(col(PaperSuggestion.id))).all())


def count_pending(session: Session) -> int:
    stmt = sa.select(sa.func.count()).where(col(PaperSuggestion.state) == SuggestionState.pending)
    return int(session.execute(stmt).scalar_one())
