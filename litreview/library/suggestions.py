"""Relations suggested by the papers themselves, for the user to accept or dismiss.

Found in one pass over the library's text, set-based: each paper's title, arXiv comment,
journal reference, abstract and annotation, and its BibTeX ``related``/``relatedtype``,
``crossref`` and ``cites`` fields, are read once; mentions of another library paper's arXiv id
or DOI (or, after "Comment on", its exact title) become suggestions with where they were
found. The words before a mention say which relation: "comment on" critiques, "reply to"
responds to, "erratum" corrects, "published as" is the same work published, "superseded by"
supersedes; other mentions cite. A pair once suggested is never suggested again: accepted ones
became relations, dismissed ones stay dismissed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from litreview.errors import Conflict, NotFound
from litreview.library.bulk import chunks
from litreview.library.links import add_link
from litreview.models import (
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
_ARCHIVE = re.compile(r"(?<![\w.-])([a-z][a-z-]*(?:\.[a-z]{2})?)$", re.IGNORECASE)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+", re.IGNORECASE)
# The cue nearest before a mention decides the relation; (cue, relation, reversed).
_CUES: list[tuple[re.Pattern[str], Relation, bool]] = [
    (re.compile(r"\bcomments?\b(?:\s+on)?|\bcritique of\b", re.I), Relation.critiques, False),
    (
        re.compile(r"\b(?:reply|response|rejoinder|responds?|answer)\b(?:\s+to)?", re.I),
        Relation.responds_to,
        False,
    ),
    (re.compile(r"\b(?:erratum|errata|corrigendum|correction)\b", re.I), Relation.corrects, False),
    (
        re.compile(r"\b(?:superseded|replaced|withdrawn)\b(?:\s+(?:by|in favou?r of))?", re.I),
        Relation.supersedes,
        True,
    ),
    (
        re.compile(r"\b(?:published\s+(?:as|in|at)|journal version|appeared\s+in)\b", re.I),
        Relation.published_as,
        False,
    ),
    (re.compile(r"\b(?:extends?|extension of|builds on)\b", re.I), Relation.extends, False),
    (re.compile(r"\b(?:replicat\w*|reproduc\w*)\b", re.I), Relation.replicates, False),
]
_CUE_WINDOW = 160
# A title that says what the paper is: "Comment on ...", "Reply: ...", "Erratum to ...".
_TITLE_CUE = re.compile(
    r"^\s*(comment|reply|response|rejoinder|erratum|corrigendum)s?\b\s*(?:on|to|:)?\s*",
    re.I,
)
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

# What is read of every paper: the baseline the benchmark compares against.
_TEXTS = sa.select(
    col(Paper.id),
    col(Paper.title),
    col(Paper.arxiv_comment),
    col(Paper.journal_ref),
    col(Paper.abstract),
    col(Annotation.markdown),
    col(Paper.extra)["related"].as_string(),
    col(Paper.extra)["relatedtype"].as_string(),
    col(Paper.extra)["crossref"].as_string(),
    col(Paper.extra)["cites"].as_string(),
).outerjoin(Annotation, col(Annotation.paper_id) == col(Paper.id))


@dataclass(frozen=True)
class Finding:
    """One suggested relation: source ``relation`` target, and where it was seen."""

    source_id: int
    target_id: int
    relation: Relation
    found_in: str
    evidence: str


class Identifiers:
    """Library papers by arXiv id and DOI (read at once), by citation key (read when a BibTeX
    field first needs it) and by title fingerprint (looked up one title at a time)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        rows = session.execute(
            sa.select(col(Paper.id), col(Paper.arxiv_id), col(Paper.doi)).where(
                col(Paper.arxiv_id).is_not(None) | col(Paper.doi).is_not(None)
            )
        ).all()
        self.arxiv = {a.lower(): i for i, a, _ in rows if a}
        self.doi = {d: i for i, _, d in rows if d}
        self._keys: dict[str, int] | None = None

    @property
    def key(self) -> dict[str, int]:
        if self._keys is None:
            rows = self.session.execute(sa.select(col(Paper.key), col(Paper.id)))
            self._keys = {k: i for k, i in rows}
        return self._keys

    def title(self, fingerprint: str) -> int | None:
        """The one paper with this title; None when there is none, or more than one."""
        if len(fingerprint) < 20:
            return None
        stmt = sa.select(col(Paper.id)).where(col(Paper.title_fp) == fingerprint).limit(2)
        found = self.session.execute(stmt).scalars().all()
        return found[0] if len(found) == 1 else None


def _cue(before: str, default: Relation) -> tuple[Relation, bool]:
    best: tuple[int, Relation, bool] | None = None
    for pattern, relation, flipped in _CUES:
        for match in pattern.finditer(before):
            if best is None or match.end() > best[0]:
                best = (match.end(), relation, flipped)
    return (best[1], best[2]) if best else (default, False)


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 80) : end + 40].split())


def _arxiv_mentions(text: str) -> Iterator[tuple[str, int, int]]:
    """(id, start, end) of each arXiv id in ``text``."""
    if _dot_digits(text):
        yield from _new_style(text)
    if "/" in text:
        for match in _OLD_TAIL.finditer(text):
            archive = _ARCHIVE.search(text, max(0, match.start() - 30), match.start())
            if archive is not None:
                yield f"{archive.group(1)}/{match.group(1)}", archive.start(), match.end()


def _dot_digits(text: str) -> bool:
    """Whether a dot is followed by four digits somewhere (str.find: faster than any regex on
    the long abstracts that mention nothing)."""
    dot = text.find(".")
    while dot != -1:
        if text[dot + 1 : dot + 5].isdigit():
            return True
        dot = text.find(".", dot + 1)
    return False


def _new_style(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _NEW_TAIL.finditer(text):
        dot = match.start()
        head = text[dot - 4 : dot]
        if dot >= 4 and head.isdigit() and (dot == 4 or text[dot - 5] not in "0123456789."):
            yield f"{head}.{match.group(1)}", dot - 4, match.end()


def _mentions(
    paper_id: int, text: str, where: str, title_relation: Relation | None, ids: Identifiers
) -> Iterator[Finding]:
    for found, start, end in _arxiv_mentions(text):
        target = ids.arxiv.get(found.lower())
        if target is not None and target != paper_id:
            yield _finding(paper_id, target, text, start, end, where, title_relation)
    if "10." in text:
        for match in _DOI.finditer(text):
            target = ids.doi.get(normalize_doi(match.group(0)) or "")
            if target is not None and target != paper_id:
                start, end = match.span()
                yield _finding(paper_id, target, text, start, end, where, title_relation)


def _finding(
    paper_id: int,
    target: int,
    text: str,
    start: int,
    end: int,
    where: str,
    title_relation: Relation | None,
) -> Finding:
    default = title_relation or (Relation.related if where == "annotation" else Relation.cites)
    relation, flipped = _cue(text[max(0, start - _CUE_WINDOW) : start], default)
    source, dest = (target, paper_id) if flipped else (paper_id, target)
    return Finding(source, dest, relation, where, _snippet(text, start, end))


def _bibtex(
    paper_id: int,
    related: str | None,
    kind: str | None,
    crossref: str | None,
    cites: str | None,
    ids: Identifiers,
) -> Iterator[Finding]:
    if related is None and crossref is None and cites is None:
        return
    fields = (
        (related, _RELATED_TYPES.get((kind or "").strip().lower(), Relation.related), "related"),
        (crossref, Relation.related, "crossref"),
        (cites, Relation.cites, "cites"),
    )
    for value, relation, name in fields:
        for key in (value or "").split(","):
            target = ids.key.get(key.strip())
            if target is not None and target != paper_id:
                yield Finding(paper_id, target, relation, f"BibTeX {name}", f"{name} = {{{value}}}")


def _title_reference(paper_id: int, title: str, ids: Identifiers) -> Iterator[Finding]:
    cue = _TITLE_CUE.match(title)
    if cue is None:
        return
    relation, _ = _cue(cue.group(0), Relation.related)
    rest = title[cue.end() :].strip(" '\"`“”‘’")
    target = ids.title(title_fingerprint(rest))
    if target is not None and target != paper_id:
        yield Finding(paper_id, target, relation, "title", title)


def find_suggestions(
    session: Session, rows: Iterable[Sequence[object]], ids: Identifiers
) -> list[Finding]:
    """Every finding in these rows of :data:`_TEXTS` (no database writes)."""
    found: dict[tuple[int, int, Relation], Finding] = {}
    for row in rows:
        paper_id, title, comment, journal, abstract, note, related, kind, crossref, cites = row
        assert isinstance(paper_id, int)
        title_s = str(title or "")
        cue = _TITLE_CUE.match(title_s)
        title_relation = _cue(cue.group(0), Relation.related)[0] if cue else None
        findings = list(_bibtex(paper_id, related, kind, crossref, cites, ids))  # type: ignore[arg-type]
        for text, where in (
            (title_s, "title"),
            (comment, "arXiv comment"),
            (journal, "journal ref"),
            (abstract, "abstract"),
            (note, "annotation"),
        ):
            if text:
                findings.extend(_mentions(paper_id, str(text), where, title_relation, ids))
        findings.extend(_title_reference(paper_id, title_s, ids))
        for finding in findings:
            found.setdefault((finding.source_id, finding.target_id, finding.relation), finding)
    return list(found.values())


def refresh_suggestions(session: Session, paper_ids: Sequence[int] | None = None) -> int:
    """Look for new suggestions (in these papers' text, or the whole library's); returns how
    many were added. Pairs already suggested (in any state) or already related are skipped."""
    ids = Identifiers(session)
    texts = _TEXTS
    if paper_ids is None:
        findings = find_suggestions(session, session.execute(texts), ids)
    else:
        findings = []
        for chunk in chunks(list(paper_ids)):
            rows = session.execute(texts.where(col(Paper.id).in_(chunk)))
            findings.extend(find_suggestions(session, rows, ids))
    return _store(session, findings)


# Beyond this many papers an import rereads the whole library once instead.
_TARGETED_LIMIT = 200


def suggest_after_import(session: Session, paper_ids: Sequence[int]) -> int:
    """New suggestions an import brings: in the imported papers' text, and in every paper
    that mentions an imported paper's arXiv id or DOI. Returns how many were added."""
    ids = sorted(set(paper_ids))
    if not ids:
        return 0
    if len(ids) > _TARGETED_LIMIT:
        return refresh_suggestions(session)
    names = session.execute(
        sa.select(col(Paper.arxiv_id), col(Paper.doi)).where(col(Paper.id).in_(ids))
    ).all()
    needles = [n for pair in names for n in pair if n]
    texts = (Paper.title, Paper.arxiv_comment, Paper.journal_ref, Paper.abstract)
    mentions = [col(t).contains(n, autoescape=True) for t in texts for n in needles]
    mentions += [col(Annotation.markdown).contains(n, autoescape=True) for n in needles]
    mentioning: list[int] = []
    if mentions:
        stmt = (
            sa.select(col(Paper.id))
            .outerjoin(Annotation, col(Annotation.paper_id) == col(Paper.id))
            .where(sa.or_(*mentions))
        )
        mentioning = [row[0] for row in session.execute(stmt)]
    return refresh_suggestions(session, sorted(set(ids) | set(mentioning)))


def _store(session: Session, findings: list[Finding]) -> int:
    if not findings:
        return 0
    known = {
        (s, t, Relation(r))
        for s, t, r in session.execute(
            sa.select(
                col(PaperSuggestion.source_id),
                col(PaperSuggestion.target_id),
                col(PaperSuggestion.relation),
            )
        )
    }
    known |= {
        (s, t, Relation(r))
        for s, t, r in session.execute(
            sa.select(col(PaperLink.source_id), col(PaperLink.target_id), col(PaperLink.relation))
        )
    }
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
    if rows:
        session.execute(sa.insert(PaperSuggestion), rows)
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
