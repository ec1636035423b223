"""CSL-JSON items as citeproc needs them: text, names, numbers, dates and types from BibTeX."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from litreview.exporters.csljson import csl_json
from litreview.exporters.csltext import Piece, sentence_case
from litreview.importers.bibtex import parse_bibtex
from litreview.library.importing import import_records
from litreview.library.views import load_paper_views

ENTRIES = r"""
@article{doi, title = {A {{GOOD TRY}} In Title Case: The Sequel}, journal = {History and Theory},
  doi = {10.1017/S0007087403}, author = {Heilbron, J. L. and Smith, Ann}, number = {4}}
@article{spelled, title = {Other}, author = {Heilbron, J L}, year = 2001}
@book{series, title = {Menneske og by}, langid = {danish}, series = {Skriftserie}, number = {72},
  date = {2014}}
@article{jstor, title = {Reply to {Vallgårda}}, eprint = {25746350}, eprinttype = {jstor},
  year = {Autumn 2001}}
@letter{letter, title = {Brev til {Karlebo} sogneråd}, author = {{Arbejderbo}}, type = {Letter},
  langid = {danish}}
@book{quotes, title = {Bodies That Matter: On the Limits of "Sex" and 'Gender'}, year = 1993,
  author = {Butler, Judith}}
@article{quoted, title = {Blah \emph{emph} and \mkbibquote{quoted}}, language = {eng}}
@book{orig, title = {En ny sociologi}, langid = {nswissgerman}, origdate = {2005}, date = {2008},
  howpublished = {Working paper}}
@article{tie, title = {6~{{The}} Time It Takes}, journaltitle = {Weekendavisen},
  journalsubtitle = {Ideer}}
@collection{jr, title = {Forst{\ae}der},
  editor = {Kvorning, Forst{\ae}dernes T{\ae}nketank, Jens and King, Jr., Martin Luther}}
@article{von, title = {Nanowires}, author = {{da Silva}, Bruno C. and de la Mata, Maria and
  Jes{\'u}s del Alamo}}
"""


def _items(session: Session) -> dict[str, dict[str, Any]]:
    records = parse_bibtex(ENTRIES, source="t.bib").records
    outcomes = import_records(session, records).outcomes
    views = load_paper_views(session, [o.paper_id or 0 for o in outcomes])
    return {item["id"]: item for item in json.loads(csl_json(views))}


def test_titles_are_sentence_cased_in_english_with_guards_kept(session: Session) -> None:
    items = _items(session)
    assert items["doi"]["title"] == (
        'A <span class="nocase">GOOD TRY</span> in title case: The sequel'
    )
    assert items["series"]["title"] == "Menneske og by"  # Danish: as written
    assert items["tie"]["title"] == '6 <span class="nocase">The</span> time it takes'
    assert items["quoted"]["title"] == "Blah emph and \u201cquoted\u201d"
    # LaTeX's straight double quote stays one; its ' is a right single quote.
    assert items["quotes"]["title"] == (
        'Bodies that matter: On the limits of <span class="nocase">"</span>sex'
        '<span class="nocase">"</span> and \u2019gender\u2019'
    )


def test_sentence_case_leaves_acronyms_inner_capitals_and_sentence_starts() -> None:
    [piece] = sentence_case([Piece("The GPT4 Model Of ImageNet. Results For Ohco2")])
    assert piece.text == "The GPT4 model of ImageNet. Results for Ohco2"


def test_dois_names_numbers_dates_and_types_as_citeproc_reads_them(session: Session) -> None:
    items = _items(session)
    assert items["doi"]["DOI"] == "10.1017/S0007087403"  # the case as written
    assert items["doi"]["author"][0] == {"family": "Heilbron", "given": "J. L."}
    # One person, spelt as each entry spells it ("J L" with initials spaced as biblatex prints).
    assert items["spelled"]["author"] == [{"family": "Heilbron", "given": "J L"}]
    assert items["doi"]["issue"] == "4"
    assert items["series"]["collection-title"] == "Skriftserie"
    assert items["series"]["collection-number"] == "72"
    assert items["series"]["language"] == "da-DK"
    assert items["jstor"]["URL"] == "https://www.jstor.org/stable/25746350"
    assert items["jstor"]["issued"] == {"literal": "Autumn 2001"}
    assert items["letter"]["type"] == "personal_communication"
    assert items["letter"]["author"] == [{"literal": "Arbejderbo"}]
    assert items["quoted"]["language"] == "en-US"
    assert items["orig"]["original-date"] == {"date-parts": [[2005]]}
    assert items["orig"]["language"] == "de-CH"
    assert items["orig"]["publisher"] == "Working paper"
    assert items["tie"]["container-title"] == "Weekendavisen: Ideer"
    # "von Last, Jr, First": the Jr part is the name's suffix.
    assert items["jr"]["editor"] == [
        {"family": "Kvorning", "given": "Jens", "suffix": "Forstædernes Tænketank"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
    ]
    # BibTeX's von part is the particle; a braced family name has none.
    assert items["von"]["author"] == [
        {"family": "da Silva", "given": "Bruno C."},
        {"family": "Mata", "given": "Maria", "non-dropping-particle": "de la"},
        {"family": "Alamo", "given": "Jesús", "non-dropping-particle": "del"},
    ]
