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
  doi = {10.1017/S0007087403}, author = {Heilbron, J. L. and Smith, Ann}, number = {4},
  issue = {Spring}}
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
@article{math, title = {Exchange Interaction in Excited $S$ States}, year = 1975,
  author = {Madelung, O. and others}, doi = {j.desal.2005.02.017}}
@incollection{addon, title = {Title}, subtitle = {Sub}, titleaddon = {Addon}, booktitle = {Book},
  booksubtitle = {Booksub}, booktitleaddon = {Bookaddon}, volumes = {3}, pubstate = {inpress},
  series = {newseries}}
@thesis{thesis, title = {Thesis}, type = {mathesis}, institution = {U}}
@book{range, title = {Range}, date = {1988/1992}, urldate = {199u}}
@book{bc, title = {BC}, date = {-0876}, origdate = {1723?~}}
@article{initials, title = {Initials}, author = {Harvey, T.E. and Herv, Yu.Yu. and Ringel, S.a.}}
@article{dash, title = {Growth of {{III}}\textendash{{V}} Wires with {{GaAs}}
  Core\textendash{}Shell}}
@article{phantom, title = {Ultrahigh \{\vphantom\}{{UV}}\vphantom\{\} Responsivity}}
@article{minus, title = {The $1125\,\mathrm{cm}^{-1}$ Band}}
@article{scripts, title = {Adsorption on {Cu$_2$O}-Cu$_\mathrm{CUS}$ at $20\,^\circ\mathrm{K}$}}
@article{logos, title = {The \MF book, \TUB{} and \PS\ Fonts}}
@phdthesis{phd, title = {Tables}, type = {{Ph.D.} dissertation}, school = {U}}
@book{quoted-name, title = {Name}, author = {Haiyang `Leo' Liu and O'Brien, Pat}}
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
    # Math keeps its case, with or without braces in the title.
    assert (
        items["math"]["title"]
        == 'Exchange interaction in excited <span class="nocase">S</span> states'
    )
    assert items["quoted"]["title"] == "Blah emph and \u201cquoted\u201d"
    # LaTeX's straight double quote stays one; its ' is a right single quote.
    assert items["quotes"]["title"] == (
        'Bodies that matter: On the limits of <span class="nocase">"</span>sex'
        '<span class="nocase">"</span> and \u2019gender\u2019'
    )


def test_symbols_phantoms_and_superscript_minus_in_titles(session: Session) -> None:
    items = _items(session)
    # \textendash takes no argument: the group after it is a guard as any other.
    nocase = '<span class="nocase">{}</span>'.format
    assert items["dash"]["title"] == (
        f"Growth of {nocase('III')}\u2013{nocase('V')} wires with {nocase('GaAs')} core\u2013shell"
    )
    # \vphantom prints nothing of its argument (here the escaped brace).
    assert items["phantom"]["title"] == "Ultrahigh {UV} responsivity"
    # A superscript minus is a minus sign, as TeX prints it in math.
    minus = nocase("1125 cm<sup>\u22121</sup>")
    assert items["minus"]["title"] == f"The {minus} band"


def test_scripts_logos_and_a_thesis_type(session: Session) -> None:
    items = _items(session)
    nocase = '<span class="nocase">{}</span>'.format
    # Scripts Unicode has no characters for are CSL markup, not "_CUS" or "^∘".
    assert items["scripts"]["title"] == (
        f"Adsorption on {nocase('Cu<sub>2</sub>O')}-cu{nocase('<sub>CUS</sub>')}"
        f" at {nocase('20 <sup>∘</sup>K')}"
    )
    # The TeX community's logos as tugboat.def prints them (a control word takes its space).
    assert items["logos"]["title"] == "The METAFONTbook, TUGboat and PostScript fonts"
    # A thesis's own type says what it is.
    assert items["phd"]["genre"] == "Ph.D. dissertation"
    # LaTeX's single quotes in names as it prints them.
    assert items["quoted-name"]["author"] == [
        {"family": "Liu", "given": "Haiyang \u2018Leo\u2019"},
        {"family": "O\u2019Brien", "given": "Pat"},
    ]


def test_sentence_case_leaves_acronyms_inner_capitals_and_sentence_starts() -> None:
    [piece] = sentence_case([Piece("The GPT4 Model Of ImageNet. Results For Ohco2")])
    assert piece.text == "The GPT4 model of ImageNet. Results for Ohco2"


def test_dois_names_numbers_dates_and_types_as_citeproc_reads_them(session: Session) -> None:
    items = _items(session)
    assert items["doi"]["DOI"] == "10.1017/S0007087403"  # the case as written
    assert items["doi"]["author"][0] == {"family": "Heilbron", "given": "J. L."}
    # One person, spelt as each entry spells it ("J L" with initials spaced as biblatex prints).
    assert items["spelled"]["author"] == [{"family": "Heilbron", "given": "J L"}]
    assert items["doi"]["issue"] == "4, Spring"  # biblatex's number and issue, as pandoc joins them
    assert items["series"]["collection-title"] == "Skriftserie"
    assert items["series"]["collection-number"] == "72"
    assert items["series"]["language"] == "da-DK"
    assert items["jstor"]["URL"] == "https://www.jstor.org/stable/25746350"
    assert items["jstor"]["issued"] == {"literal": "Autumn 2001"}
    assert items["letter"]["type"] == "personal_communication"
    assert items["letter"]["author"] == [{"literal": "Arbejderbo"}]
    assert items["quoted"]["language"] == "en-US"
    assert items["orig"]["original-date"] == {"date-parts": [[2005]]}
    # Subtitles and addons joined as biblatex prints them; its localisation keys as their text.
    assert items["addon"]["title"] == "Title: Sub. Addon"
    assert items["addon"]["container-title"] == "Book: Booksub. Bookaddon"
    assert items["addon"]["number-of-volumes"] == "3"
    assert items["addon"]["status"] == "in press"
    assert items["addon"]["collection-title"] == "new series"
    assert items["thesis"]["genre"] == "Master’s thesis"
    # biblatex's dates: a range, unspecified digits (the 1990s), a year BC (ISO's -876), circa.
    assert items["range"]["issued"] == {"date-parts": [[1988], [1992]]}
    assert items["range"]["accessed"] == {"date-parts": [[1990], [1999]]}
    assert items["bc"]["issued"] == {"date-parts": [[-877]]}
    assert items["bc"]["original-date"] == {"date-parts": [[1723]], "circa": True}
    assert items["orig"]["language"] == "de-CH"
    assert items["orig"]["publisher"] == "Working paper"
    assert items["tie"]["container-title"] == "Weekendavisen: Ideer"
    # "von Last, Jr, First": the Jr part is the name's suffix.
    assert items["jr"]["editor"] == [
        {"family": "Kvorning", "given": "Jens", "suffix": "Forstædernes Tænketank"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
    ]
    # "and others" as pandoc writes it for citeproc (et al.); an unreadable DOI as written.
    assert items["math"]["author"] == [{"family": "Madelung", "given": "O."}, {"literal": "others"}]
    assert items["math"]["DOI"] == "j.desal.2005.02.017"
    # Single capitals run together are spaced, as pandoc does; other abbreviations stay.
    assert [a["given"] for a in items["initials"]["author"]] == ["T. E.", "Yu.Yu.", "S.a."]
    # BibTeX's von part is the particle; a braced family name has none.
    assert items["von"]["author"] == [
        {"family": "da Silva", "given": "Bruno C."},
        {"family": "Mata", "given": "Maria", "non-dropping-particle": "de la"},
        {"family": "Alamo", "given": "Jesús", "non-dropping-particle": "del"},
    ]
