"""A small library built through the library functions, for the export tests.

Areas with sub-areas (and one left empty), a paper in two areas, relations (critiques, extends,
cites, related), Unicode names and titles, Markdown special characters in titles and venues,
annotations with headings, lists and unclosed blocks, and a paper in no area.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from litreview.importers.records import AuthorRecord, PaperRecord
from litreview.library.areas import add_paper_to_areas, ensure_area_path, update_area
from litreview.library.links import add_link
from litreview.library.papers import import_records
from litreview.models import Paper, ReadingStatus, SourceKind

AREAS = {
    "Adversarial training": "Training against *worst-case* inputs.",
    "Adversarial training/Latent adversarial training": (
        "Perturbations of hidden activations instead of inputs.\n\n"
        "## Why a heading here\n\nDescriptions may contain headings; they must not nest."
    ),
    "Adversarial training/Evaluation": "How to tell whether a defence works.",
    "Interpretability": "",
    "Interpretability/Probing": "Linear probes and what they find.",
    "Empty area": "Nothing filed here yet.",
}


def person(name: str, family: str, given: str = "") -> AuthorRecord:
    return AuthorRecord(name=name, family=family, given=given)


def records() -> list[PaperRecord]:
    madry = PaperRecord(
        title="Towards Deep Learning Models Resistant to Adversarial Attacks",
        source=SourceKind.manual,
        key="madry2017towards",
        authors=[
            person("Aleksander Madry", "Madry", "Aleksander"),
            person("Aleksandar Makelov", "Makelov", "Aleksandar"),
            person("Ludwig Schmidt", "Schmidt", "Ludwig"),
            person("Dimitris Tsipras", "Tsipras", "Dimitris"),
            person("Adrian Vladu", "Vladu", "Adrian"),
        ],
        year=2017,
        date="2017-06-19",
        venue="International Conference on Learning Representations",
        entry_type="inproceedings",
        arxiv_id="1706.06083",
        arxiv_version=4,
        tags=["PGD", "foundational"],
        annotation=(
            "Frames robustness as a **min-max** problem.\n\n"
            "# My notes\n\n"
            "Setext heading too\n"
            "------------------\n\n"
            "- trains on PGD examples\n"
            "- evaluates on $L_\\infty$ balls"
        ),
    )
    casper = PaperRecord(
        title="Defending Against Unforeseen Failure Modes with Latent Adversarial Training",
        source=SourceKind.manual,
        key="casper2024defending",
        authors=[
            person("Stephen Casper", "Casper", "Stephen"),
            person("Lennart Schulze", "Schulze", "Lennart"),
            person("Oam Patel", "Patel", "Oam"),
            person("Dylan Hadfield-Menell", "Hadfield-Menell", "Dylan"),
        ],
        year=2024,
        date="2024-03-08",
        arxiv_id="2403.05030",
        arxiv_version=2,
        abstract="Despite extensive diagnostics and debugging, AI systems sometimes fail.",
        tags=["LAT"],
        annotation="Perturbs *latent* activations.\n\n> A quote from the paper.",
    )
    critique = PaperRecord(
        title="A critique of *latent* adversarial training [with brackets] & <html> #1",
        source=SourceKind.manual,
        key="müller2024critique",
        entry_type="inproceedings",
        authors=[
            person("Jürgen Müller", "Müller", "Jürgen"),
            person("Zoë Ångström", "Ångström", "Zoë"),
            person("Anna van der Berg", "van der Berg", "Anna"),
            person("The LAT Consortium", "The LAT Consortium"),
        ],
        year=2024,
        venue="Proc. of the *Safety* Workshop_2024",
        doi="10.1234/abc(def)_1",
        extra={"pages": "12--34", "publisher": "ACM", "address": "Vienna, Austria"},
        tags=["critique", "LAT"],
        annotation="Argues the threat model is too weak — see §3.\n\n1. first point\n2. second",
    )
    vaswani = PaperRecord(
        title="Attention Is All You Need",
        source=SourceKind.manual,
        key="vaswani2017attention",
        entry_type="inproceedings",
        authors=[person("Ashish Vaswani", "Vaswani", "Ashish")],
        year=2017,
        venue="NeurIPS",
        arxiv_id="1706.03762",
        tags=["transformers"],
        annotation="Not about robustness at all.\n\n```python\nprint('an unclosed fence')",
    )
    carlini = PaperRecord(
        title="On Evaluating Adversarial Robustness",
        source=SourceKind.manual,
        key="carlini2019evaluating",
        entry_type="misc",
        authors=[
            person(f"{given} {family}", family, given)
            for given, family in [
                ("Nicholas", "Carlini"),
                ("Anish", "Athalye"),
                ("Nicolas", "Papernot"),
                ("Wieland", "Brendel"),
                ("Jonas", "Rauber"),
                ("Dimitris", "Tsipras"),
                ("Ian", "Goodfellow"),
                ("Aleksander", "Madry"),
                ("Alexey", "Kurakin"),
            ]
        ],
        year=2019,
        arxiv_id="1902.06705",
        tags=["evaluation"],
        annotation="A checklist.\n\n<!-- a comment that is never closed",
    )
    notes = PaperRecord(
        title="Notes on probing",
        source=SourceKind.manual,
        key="anon:notes/probing",
        entry_type="misc",
        url="https://example.org/notes (draft)",
    )
    hostile = PaperRecord(
        title="A page with a script link",
        source=SourceKind.manual,
        key="hostile2020page",
        entry_type="misc",
        year=2020,
        url="javascript:alert(1)",
        annotation="<script>alert(1)</script>",
    )
    return [madry, casper, critique, vaswani, carlini, notes, hostile]


PLACES = {
    "madry2017towards": ["Adversarial training"],
    "casper2024defending": [
        "Adversarial training/Latent adversarial training",
        "Interpretability/Probing",
    ],
    "müller2024critique": ["Adversarial training/Latent adversarial training"],
    "carlini2019evaluating": ["Adversarial training/Evaluation"],
    "anon:notes/probing": ["Interpretability/Probing"],
    "hostile2020page": ["Interpretability"],
}
NOTES = {("casper2024defending", "Interpretability/Probing"): "Uses probes to pick layers."}
STATES = {
    "madry2017towards": (ReadingStatus.read, 5),
    "casper2024defending": (ReadingStatus.read, 4),
    "müller2024critique": (ReadingStatus.skimmed, 2),
    "carlini2019evaluating": (ReadingStatus.to_read, None),
}
LINKS = [
    ("müller2024critique", "casper2024defending", "critiques", "Questions the threat model."),
    ("casper2024defending", "madry2017towards", "extends", ""),
    ("carlini2019evaluating", "madry2017towards", "cites", ""),
    ("madry2017towards", "vaswani2017attention", "related", ""),
    ("anon:notes/probing", "casper2024defending", "responds_to", ""),
]


def build_library(session: Session, *, reverse: bool = False) -> dict[str, int]:
    """Fill an empty library; the paper ids by key.

    ``reverse`` stores papers, places and relations in the opposite order (areas keep theirs:
    their order is the tree's order), which must not change any export.
    """

    def order(items: list[Any]) -> list[Any]:
        return items[::-1] if reverse else items

    area_ids = {}
    for path, description in AREAS.items():
        area = ensure_area_path(session, path)
        assert area.id is not None
        update_area(session, area.id, description=description)
        area_ids[path] = area.id
    report = import_records(session, order(records()))
    ids = {o.key: o.paper_id for o in report.outcomes if o.key and o.paper_id}
    assert len(ids) == len(records()), report.outcomes
    for key, paths in order(list(PLACES.items())):
        for path in paths:
            note = NOTES.get((key, path), "")
            add_paper_to_areas(session, ids[key], [area_ids[path]], note=note)
    for key, (status, rating) in STATES.items():
        paper = session.get(Paper, ids[key])
        assert paper is not None
        paper.status = status
        paper.rating = rating
        session.add(paper)
    for source, target, relation, note in order(LINKS):
        add_link(session, ids[source], ids[target], relation, note=note)
    session.flush()
    return ids
