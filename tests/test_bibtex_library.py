"""BibTeX import into the library and export out of it: merge, keys, atomicity, API, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bibtex_helpers import all_views
from bibtexparser.entrypoint import parse_string
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from test_cli import run

from litreview.exporters.bibtex import render_bibtex
from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.bibtex import import_bibtex
from litreview.library.papers import import_records
from litreview.models import Annotation, Paper, SourceKind

pytestmark = pytest.mark.both_dialects

BIB = """@article{vaswani2017,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  eprint = {1706.03762}, archivePrefix = {arXiv},
  keywords = {transformers; attention},
  annote = {The transformer paper.},
}

@inproceedings{,
  title = {Deep Residual Learning for Image Recognition},
  author = {He, Kaiming and Zhang, Xiangyu},
  booktitle = {CVPR},
  year = {2016},
}

@article{broken, title = {Unbalanced {brace}
@misc{smith2020, title = {R\\&D at 100\\%}, author = {Smith, J.}, year = 2020, pages = {1--2}}
"""


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Paper)).one()


def test_bulk_import_stores_timestamps_as_the_orm_does(session: Session, dialect: str) -> None:
    if dialect != "sqlite":
        pytest.skip("SQLite keeps times as text; PostgreSQL's timestamptz has no text form")
    import sqlalchemy as sa

    from litreview.library.papers import create_paper

    create_paper(
        session,
        PaperRecord(
            title="By hand",
            source=SourceKind.manual,
            authors=[AuthorRecord("J. Doe", "Doe", "J.")],
        ),
    )
    import_bibtex(session, BIB, source="refs.bib")
    session.commit()
    stored = session.execute(
        sa.text(
            "SELECT p.key, p.created_at, p.updated_at, v.imported_at"
            " FROM paper p JOIN provenance v ON v.paper_id = p.id"
        )
    ).all()
    assert len(stored) == 4
    by_hand = session.execute(sa.text("SELECT created_at FROM paper WHERE title = 'By hand'"))
    form = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    assert form.fullmatch(by_hand.scalar_one())
    for row in stored:
        assert all(form.fullmatch(value) for value in row[1:]), row


def test_import_reports_and_stores_good_entries(session: Session) -> None:
    report = import_bibtex(session, BIB, source="refs.bib", tags=["mine"], area_path="ML/Vision")
    session.commit()
    assert report.counts()["added"] == 3
    assert [(f.line, "could not parse" in f.message) for f in report.failures] == [(17, True)]
    keys = sorted(session.exec(select(Paper.key)).all())
    assert keys == ["he2016deep", "smith2020", "vaswani2017"]  # generated: family+year+word
    views = {v.paper.key: v for v in all_views(session)}
    assert views["vaswani2017"].tags == ["attention", "mine", "transformers"]
    assert views["vaswani2017"].annotation_markdown == "The transformer paper."
    assert [a.path for a in views["he2016deep"].areas] == ["ML/Vision"]


def test_reimporting_the_same_file_changes_nothing(session: Session) -> None:
    import_bibtex(session, BIB, source="refs.bib")
    session.commit()
    versions = session.exec(select(Paper.key, Paper.version)).all()
    again = import_bibtex(session, BIB, source="refs.bib")
    session.commit()
    assert again.counts()["unchanged"] == 3 and again.counts()["added"] == 0
    assert session.exec(select(Paper.key, Paper.version)).all() == versions


def test_duplicate_keys_keep_both_papers_with_a_new_key(session: Session) -> None:
    text = "@article{same, title = {First paper}}\n@article{same, title = {Second paper}}\n"
    report = import_bibtex(session, text, source="d.bib")
    assert any("duplicate citation key 'same'" in p.message for p in report.problems)
    assert sorted(session.exec(select(Paper.key)).all()) == ["same", "samea"]


def test_a_bibtex_entry_merges_with_the_arxiv_import_of_the_same_paper(session: Session) -> None:
    arxiv = PaperRecord(
        title="Attention Is All You Need",
        source=SourceKind.arxiv,
        arxiv_id="1706.03762",
        arxiv_version=7,
        year=2017,
        authors=[AuthorRecord("Ashish Vaswani", "Vaswani", "Ashish")],
    )
    import_records(session, [arxiv])
    annotation = Annotation(paper_id=session.exec(select(Paper.id)).one(), markdown="Mine.")
    session.add(annotation)
    session.flush()
    report = import_bibtex(session, BIB, source="refs.bib")
    assert report.outcomes[0].status.value == "merged"
    paper = session.exec(select(Paper).where(Paper.arxiv_id == "1706.03762")).one()
    assert paper.arxiv_version == 7
    assert count(session) == 3
    kept = session.exec(select(Annotation.markdown).where(Annotation.paper_id == paper.id)).one()
    assert kept == "Mine."  # never overwrite what the user wrote


def test_a_dry_run_stores_nothing(session: Session) -> None:
    report = import_bibtex(session, BIB, source="refs.bib", dry_run=True)
    session.commit()
    assert report.counts()["added"] == 3 and report.dry_run
    assert count(session) == 0


def test_a_failed_store_leaves_nothing_half_imported(engine: Engine) -> None:
    with Session(engine) as session:
        import_bibtex(session, BIB, source="refs.bib")
        session.flush()
        assert count(session) == 3
        session.rollback()  # what the edge does when anything after the import fails
    with Session(engine) as session:
        assert count(session) == 0


def test_export_is_parsed_back_by_bibtexparser_and_keeps_original_text(session: Session) -> None:
    import_bibtex(session, BIB, source="refs.bib")
    text = render_bibtex(all_views(session), annote=True)
    library = parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: e.fields_dict for e in library.entries}
    assert entries["smith2020"]["title"].value == "R\\&D at 100\\%"
    assert entries["vaswani2017"]["archivePrefix".lower()].value == "arXiv"
    assert entries["vaswani2017"]["annotation"].value == "The transformer paper."
    assert entries["vaswani2017"]["annote"].value == "The transformer paper."
    assert entries["vaswani2017"]["keywords"].value == "transformers; attention"
    assert entries["smith2020"]["pages"].value == "1--2"


def test_export_escapes_unicode_text_that_was_edited(session: Session) -> None:
    import_records(
        session,
        [
            PaperRecord(
                title="Costs & benefits: 50% of $x_1$",
                source=SourceKind.manual,
                key="k",
                authors=[AuthorRecord("Jörg Müller", "Müller", "Jörg")],
            )
        ],
    )
    text = render_bibtex(all_views(session))
    assert "title = {Costs \\& benefits: 50\\% of \\$x\\_1\\$}" in text
    assert "author = {Müller, Jörg}" in text
    assert not parse_string(text).failed_blocks


def test_api_upload_text_body_and_size_limit(client: TestClient) -> None:
    upload = client.post(
        "/api/import/bibtex",
        files={"file": ("refs.bib", BIB.encode("cp1252"), "application/x-bibtex")},
        params={"tag": ["api"]},
    )
    assert upload.status_code == 200, upload.text
    body = upload.json()
    assert body["counts"]["added"] == 3 and body["source"] == "refs.bib"
    assert body["failures"][0]["line"] == 17
    again = client.post("/api/import/bibtex", content=BIB.encode(), params={"dry_run": True})
    assert again.json()["counts"]["unchanged"] == 3
    big = client.post(
        "/api/import/bibtex", content=b"%" * (client.app.state.settings.max_upload_bytes + 1)
    )  # type: ignore[attr-defined]
    assert big.status_code == 413
    assert big.json()["error"]["status"] == 413


def test_cli_import_summarises_and_exits_1_on_failed_blocks(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    # In this process, as the entry point runs it (test_cli.py runs a failing command in a
    # process of its own).
    db = str(tmp_path / "l.db")
    done = run("--db", db, "import", str(bib), "--tag", "t", "--area", "A/B", cwd=tmp_path)
    assert done.returncode == 1
    assert "3 added" in done.stdout
    assert "refs.bib: line 17" in done.stderr and "Traceback" not in done.stderr
    clean = tmp_path / "clean.bib"
    clean.write_text(BIB.replace("@article{broken, title = {Unbalanced {brace}\n", ""))
    again = run("--db", str(tmp_path / "l.db"), "import", str(clean), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "3 unchanged" in again.stdout


@pytest.mark.parametrize("name", ["missing.bib"])
def test_cli_names_an_unreadable_file(tmp_path: Path, name: str) -> None:
    done = run("--db", str(tmp_path / "l.db"), "import", name, cwd=tmp_path)
    assert done.returncode == 1
    assert name in done.stderr and "Traceback" not in done.stderr


def test_papers_without_key_get_suffixes_on_clashes(session: Session) -> None:
    text = "@article{, title = {Deep nets}, author = {Lee, A.}, year = 2020}\n"
    text += "@article{, title = {Deep nets again}, author = {Lee, B.}, year = 2020}\n"
    import_bibtex(session, text, source="k.bib")
    keys = session.exec(select(Paper.key).order_by(col(Paper.id))).all()
    assert keys == ["lee2020deep", "lee2020deepa"]
