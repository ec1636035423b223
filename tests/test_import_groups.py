"""Groups of other reference managers become areas: JabRef's group tree (static groups, with
membership from each entry's ``groups`` field; keyword and search groups reported as skipped)
and Better BibTeX JSON collections."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from litreview.cli import app
from litreview.importers.jabref import parse_jabref_groups
from litreview.library.areas import area_tree, walk_tree
from litreview.library.bbt_json import import_bbt_json
from litreview.library.bibtex import import_bibtex
from litreview.library.views import load_paper_views
from litreview.models import Paper

# Written as JabRef 5 saves a library with groups (Options > Groups).
JABREF = r"""% Encoding: UTF-8

@Article{madry2018,
  author    = {Madry, Aleksander and Makelov, Aleksandar},
  title     = {Towards Deep Learning Models Resistant to Adversarial Attacks},
  year      = {2018},
  groups    = {Adversarial training},
  keywords  = {robust},
}

@Article{casper2024,
  author    = {Casper, Stephen},
  title     = {Defending Against Unforeseen Failure Modes with Latent Adversarial Training},
  year      = {2024},
  groups    = {Latent adversarial training, To cite},
}

@Misc{sheshadri2024,
  author = {Sheshadri, Abhay},
  title  = {Targeted Latent Adversarial Training},
  year   = {2024},
  groups = {Latent adversarial training, Deleted group},
}

@Comment{jabref-meta: databaseType:biblatex;}

@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:Adversarial training\;0\;1\;0x8a8a8aff\;\;Training on attacks\;;
2 StaticGroup:Latent adversarial training\;0\;1\;\;\;\;;
1 KeywordGroup:Robust\;0\;keywords\;robust\;0\;0\;1\;\;\;\;;
1 SearchGroup:Recent\;0\;year >= 2023\;0\;0\;1\;\;\;\;;
1 StaticGroup:To cite\;0\;1\;\;\;\;;
1 StaticGroup:Reading/writing\;0\;1\;\;\;\;;
}
"""

BBT = {
    "config": {"id": "36a3b0b5-bad0-4a04-b79b-441c7cef77db", "label": "BetterBibTeX JSON"},
    "collections": {
        "ABCD1234": {
            "key": "ABCD1234",
            "name": "Robustness",
            "collections": ["EFGH5678"],
            "items": [1],
        },
        "EFGH5678": {
            "key": "EFGH5678",
            "name": "Critiques",
            "parent": "ABCD1234",
            "collections": [],
            "items": [2, 3],
        },
    },
    "items": [
        {
            "itemID": 1,
            "itemType": "journalArticle",
            "citationKey": "madry2018",
            "title": "Towards Deep Learning Models Resistant to Adversarial Attacks",
            "creators": [
                {"creatorType": "author", "firstName": "Aleksander", "lastName": "Madry"},
                {"creatorType": "editor", "firstName": "Ed", "lastName": "Itor"},
            ],
            "date": "2018",
            "DOI": "https://doi.org/10.48550/arXiv.1706.06083",
            "extra": "arXiv: 1706.06083",
            "publicationTitle": "ICLR",
            "tags": [{"tag": "robust", "type": 1}],
            "notes": ["<p>A note in Zotero</p>"],
        },
        {
            "itemID": 2,
            "itemType": "forumPost",
            "title": "LAT does not remove the capability",
            "creators": [{"creatorType": "author", "name": "AI Alignment Forum user"}],
            "date": "2024-05-02",
            "forumTitle": "AI Alignment Forum",
            "url": "https://www.alignmentforum.org/posts/xyz",
        },
        {
            "itemID": 3,
            "itemType": "blogPost",
            "title": "Why latent attacks matter",
            "date": "March 2024",
            "url": "https://example.org/blog/latent",
        },
        {"itemID": 4, "itemType": "journalArticle", "title": ""},
    ],
}


def paper_areas(session: Session, by: str = "key") -> dict[str, list[str]]:
    ids = [p.id for p in session.exec(select(Paper)).all() if p.id is not None]
    views = load_paper_views(session, ids)
    return {getattr(v.paper, by): sorted(a.path for a in v.areas) for v in views}


def test_jabref_static_groups_become_areas_with_their_papers(session: Session) -> None:
    report = import_bibtex(session, JABREF, source="lat.bib")
    assert report.counts()["added"] == 3 and report.ok
    paths = [node.path for node in walk_tree(area_tree(session))]
    assert paths == [
        "Adversarial training",
        "Adversarial training/Latent adversarial training",
        "To cite",
        "Reading-writing",
    ]
    assert area_tree(session)[0].area.description == "Training on attacks"
    assert paper_areas(session) == {
        "madry2018": ["Adversarial training"],
        "casper2024": ["Adversarial training/Latent adversarial training", "To cite"],
        "sheshadri2024": ["Adversarial training/Latent adversarial training"],
    }
    warnings = [w.message for w in report.warnings]
    assert any("KeywordGroup 'Robust' skipped" in w for w in warnings)
    assert any("SearchGroup 'Recent' skipped" in w for w in warnings)
    assert any("'Deleted group'" in w for w in warnings)
    assert any("'Reading/writing' becomes area 'Reading-writing'" in w for w in warnings)
    assert report.info["group_areas"] == 4 and report.info["group_placements"] == 4


def test_importing_the_file_again_or_under_an_area_adds_no_copies(session: Session) -> None:
    import_bibtex(session, JABREF, source="lat.bib")
    again = import_bibtex(session, JABREF, source="lat.bib", area_path="Imported")
    assert again.counts()["added"] == 0
    paths = [node.path for node in walk_tree(area_tree(session))]
    assert "Imported/Adversarial training/Latent adversarial training" in paths
    assert paths.count("Adversarial training") == 1
    dry = import_bibtex(session, JABREF.replace("To cite", "Later"), source="x", dry_run=True)
    assert dry.info["group_areas"] == 4
    assert "Later" not in [node.path for node in walk_tree(area_tree(session))]


def test_jabref_escapes_and_old_groupstree_member_keys() -> None:
    text = (
        "@comment{jabref-meta: groupstree:\n0 AllEntriesGroup:;\n1 ExplicitGroup:Semi\\\\\\;colon"
        "\\;0\\;key1\\;ke\ny2\\;;\n2 KeywordGroup:Kw\\;0\\;a\\;b\\;0\\;0\\;;\n}"
    )
    groups = parse_jabref_groups(text)
    assert [(g.name, g.members, g.children) for g in groups.roots] == [
        ("Semi;colon", ["key1", "key2"], [])
    ]
    assert [p.kind for p in groups.problems] == ["warning"]


def test_a_real_jabref_file_with_groups(session: Session, corpus: Path) -> None:
    data = (corpus / "bibtex" / "jabref_complex.bib").read_bytes()
    report = import_bibtex(session, data, source="jabref_complex.bib")
    tree = {node.path: node.paper_count for node in walk_tree(area_tree(session))}
    assert tree == {
        "StaticGroup": 3,
        "TestOne": 5,
        "TestOne/TestOneSubOne": 3,
        "TestOne/TestOneSubTwo": 2,
        "TestTwo": 3,
    }
    skipped = [w.message for w in report.warnings if "skipped" in w.message]
    assert len(skipped) == 2  # a keyword group and an automatic (persons) group


def test_better_bibtex_json_collections_become_areas(session: Session) -> None:
    report = import_bbt_json(session, json.dumps(BBT).encode(), source="zotero.json")
    assert report.counts()["added"] == 3
    assert [f.message for f in report.failures] == ["item 4 has no title; skipped"]
    assert any("1 Zotero notes not imported" in w.message for w in report.warnings)
    placed = {title: paths for title, paths in paper_areas(session, by="title").items()}
    assert placed == {
        "Towards Deep Learning Models Resistant to Adversarial Attacks": ["Robustness"],
        "LAT does not remove the capability": ["Robustness/Critiques"],
        "Why latent attacks matter": ["Robustness/Critiques"],
    }
    views = {v.paper.title: v for v in load_paper_views(session, [1, 2, 3])}
    madry = views["Towards Deep Learning Models Resistant to Adversarial Attacks"].paper
    assert madry.key == "madry2018" and madry.arxiv_id == "1706.06083"
    assert madry.doi == "10.48550/arxiv.1706.06083" and madry.venue == "ICLR"
    post = views["LAT does not remove the capability"].paper
    assert post.entry_type == "online" and post.extra["entrysubtype"] == "forum-post"
    assert post.date == "2024-05-02" and post.venue == "AI Alignment Forum"
    assert views["Why latent attacks matter"].paper.year == 2024


def test_cli_imports_a_better_bibtex_json_file(tmp_path: Path) -> None:
    path = tmp_path / "zotero.json"
    path.write_text(json.dumps(BBT), encoding="utf-8")
    db = str(tmp_path / "z.db")
    result = CliRunner().invoke(app, ["import", str(path), "--db", db])
    assert result.exit_code == 1  # the untitled item failed; the others are stored
    assert "3 added" in result.output and "2 areas from its groups" in result.output
    areas = CliRunner().invoke(app, ["areas", "--db", db]).output
    assert "Robustness" in areas and "Critiques" in areas
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    failed = CliRunner().invoke(app, ["import", str(bad), "--db", db])
    assert failed.exit_code == 1


def test_api_imports_a_better_bibtex_json_upload(client: TestClient) -> None:
    files = {"file": ("zotero.json", json.dumps(BBT).encode(), "application/json")}
    response = client.post("/api/import/bibtex", files=files)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["counts"]["added"] == 3 and report["info"]["group_areas"] == 2
    paths = [a["path"] for a in client.get("/api/areas").json()["items"]]
    assert paths == ["Robustness"]
