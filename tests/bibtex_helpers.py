"""Helpers of the BibTeX tests: a template database copied per use, and library snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from litreview.config import sqlite_url
from litreview.db import make_engine, upgrade
from litreview.library.views import load_paper_views
from litreview.models import Paper
from litreview.normalize import PersonName


def template_database(folder: Path) -> Path:
    """An empty, upgraded SQLite file to copy (running the migrations once, not per import)."""
    path = folder / "template.db"
    if not path.exists():
        engine = make_engine(sqlite_url(path))
        upgrade(engine)
        engine.dispose()
    return path


def fresh_engine(template: Path, path: Path) -> Engine:
    shutil.copyfile(template, path)
    return make_engine(sqlite_url(path))


def all_views(session: Session) -> list[Any]:
    ids = list(session.exec(select(Paper.id).order_by(col(Paper.key))).all())
    return load_paper_views(session, [i for i in ids if i is not None], with_links=False)


def snapshot(session: Session, views: list[Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every paper by key, with what a reader sees of it (not timestamps or ids); ``views``:
    ``all_views(session)`` if the caller has them already."""
    library: dict[str, dict[str, Any]] = {}
    for view in all_views(session) if views is None else views:
        paper = view.paper
        library[paper.key] = {
            "entry_type": paper.entry_type,
            "title": paper.title,
            "year": paper.year,
            "date": paper.date,
            "venue": paper.venue,
            "doi": paper.doi,
            "arxiv": (paper.arxiv_id, paper.arxiv_version),
            "url": paper.url,
            "abstract": paper.abstract,
            # Authors as the library tells people apart (spelling variants are one author).
            "authors": [PersonName(p.family, p.given).key for p in view.authors],
            "editors": [PersonName(p.family, p.given).key for p in view.editors],
            "tags": sorted(view.tags),
            "annotation": view.annotation_markdown,
            "extra": paper.extra,
        }
    return library
