"""Annotations: save with an expected version, keep every previous text as a revision."""

from __future__ import annotations

from sqlmodel import Session, col, select

from litreview.errors import Conflict, NotFound
from litreview.library.attribution import acting_name
from litreview.library.papers_base import claim_row_version, get_paper
from litreview.models import Annotation, AnnotationRevision, Paper, utcnow


def get_annotation(session: Session, paper_id: int) -> Annotation:
    """The paper's annotation; a paper never annotated has an empty one at version 0."""
    get_paper(session, paper_id)
    found = session.exec(select(Annotation).where(Annotation.paper_id == paper_id)).first()
    return found if found is not None else Annotation(paper_id=paper_id, markdown="", version=0)


def save_annotation(
    session: Session,
    paper_id: int,
    markdown: str,
    *,
    expected_version: int,
) -> Annotation:
    """Replace the annotation text if ``expected_version`` is the current one (written by the
    session's member, on a shared library: :mod:`litreview.library.attribution`).

    A stale version raises :class:`Conflict` carrying the current text and version, and changes
    nothing. Saving the same text again is a no-op.
    """
    paper = get_paper(session, paper_id)
    current = _locked_annotation(session, paper_id)
    current_version = current.version if current is not None else 0
    if expected_version != current_version:
        raise Conflict(
            f"the annotation of {paper.key!r} was changed elsewhere (you edited version "
            f"{expected_version}, it is now version {current_version})",
            paper_id=paper_id,
            expected_version=expected_version,
            current_version=current_version,
            current_markdown=current.markdown if current is not None else "",
        )
    edited_by = acting_name(session)
    if current is None:
        current = Annotation(
            paper_id=paper_id,
            markdown=markdown,
            version=1,
            arxiv_version=paper.arxiv_version,
            edited_by=edited_by,
        )
    elif current.markdown == markdown:
        return current
    else:
        assert current.id is not None
        session.add(
            AnnotationRevision(
                annotation_id=current.id,
                version=current.version,
                markdown=current.markdown,
                saved_at=current.updated_at,
                edited_by=current.edited_by,
            )
        )
        current.markdown = markdown
        current.edited_by = edited_by
        current.version += 1
        current.arxiv_version = paper.arxiv_version
        current.updated_at = utcnow()
    session.add(current)
    session.flush()
    return current


def _locked_annotation(session: Session, paper_id: int) -> Annotation | None:
    """The paper's annotation, read after taking the paper row's write lock.

    Every save locks the paper row first, so two saves of one annotation are serialised: the
    second sees the first one's version (and gets a Conflict) instead of overwriting it.
    """
    claim_row_version(session, Paper, paper_id, None)
    stmt = select(Annotation).where(Annotation.paper_id == paper_id)
    found = session.exec(stmt.execution_options(populate_existing=True)).first()
    return found


def list_revisions(session: Session, paper_id: int) -> list[AnnotationRevision]:
    """Earlier texts of the paper's annotation, newest first."""
    annotation = get_annotation(session, paper_id)
    if annotation.id is None:
        return []
    stmt = (
        select(AnnotationRevision)
        .where(AnnotationRevision.annotation_id == annotation.id)
        .order_by(col(AnnotationRevision.version).desc())
    )
    return list(session.exec(stmt).all())


def restore_revision(
    session: Session,
    paper_id: int,
    revision_id: int,
    *,
    expected_version: int,
) -> Annotation:
    """Make an earlier text current again (the text it replaces is kept as a revision)."""
    annotation = get_annotation(session, paper_id)
    revision = session.get(AnnotationRevision, revision_id)
    if revision is None or annotation.id is None or revision.annotation_id != annotation.id:
        raise NotFound(
            f"paper {paper_id} has no annotation revision {revision_id}", revision_id=revision_id
        )
    return save_annotation(session, paper_id, revision.markdown, expected_version=expected_version)
