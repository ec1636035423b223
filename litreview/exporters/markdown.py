"""The annotated bibliography in Markdown (CommonMark), grouped by research area.

Layout: an optional title (``#``) and introduction, a table of contents of the areas, then the
areas as nested headings (``##`` for top-level areas, one level deeper per sub-area, at most
``#####``), each with its description, a list of papers filed there but written in full under
another area, and its own papers as headings one level below it (at most ``######``). Papers in
no exported area come last under "Other". Every paper and area heading carries an explicit
``<a id="...">`` (papers: their citation key) so links survive any renderer.

The same library gives byte-identical text: everything is ordered by content (tree position and
names, the chosen paper order, keys), never by database ids or timestamps. With
``options.template`` the user's Jinja2 template renders the same model instead.

The built-in layout is written as it is made (:func:`markdown_chunks`): the papers' text is read
a batch at a time in the order it is written, so an export of the whole library holds one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from litreview.exporters.document import (
    Document,
    Entry,
    EntryFiller,
    EntryNote,
    Placed,
    Section,
    build_document,
    complete,
)
from litreview.exporters.markdown_tables import areas_table_blocks, fields_line, matrix_blocks
from litreview.exporters.mdtext import escape_inline, escape_line_start
from litreview.library.export import ExportData
from litreview.models import Stance

TOP_AREA_LEVEL = 2
MAX_AREA_LEVEL = 5
MAX_LEVEL = 6
# An area's papers with a stance are grouped in this order; the rest come last.
STANCE_GROUPS: tuple[tuple[str | None, str], ...] = (
    (Stance.supports.value, "Supporting"),
    (Stance.undercuts.value, "Undercutting"),
    (Stance.background.value, "Background"),
    (None, "Other papers"),
)


def render_markdown(data: ExportData) -> str:
    """The export as Markdown: the built-in layout, or the user's template when one is given."""
    return "".join(markdown_chunks(data))


def markdown_chunks(data: ExportData) -> Iterator[str]:
    """The export as Markdown, in pieces as they are made (their concatenation is the text)."""
    document = build_document(data)
    template = data.options.template
    if template is not None:
        from litreview.exporters.template import render_template

        complete(document, data)
        yield render_template(template, document, lambda: layout(document))
        return
    filler = EntryFiller(data, document.entries, written_order(document))
    yield from _joined(_blocks(document, filler.filled))


def layout(document: Document) -> str:
    """The built-in layout of a bibliography model whose entries are filled."""
    return "".join(_joined(_blocks(document, lambda entry: entry)))


def written_order(document: Document) -> list[Entry]:
    """The entries written in full, in the order the layout writes them."""
    return [
        placed.entry
        for section in document.walk()
        for _, group in _by_stance(section.entries)
        for placed in group
    ]


def _joined(blocks: Iterator[str]) -> Iterator[str]:
    """The blocks separated by blank lines, ending with a newline."""
    first = True
    for block in blocks:
        yield block if first else f"\n\n{block}"
        first = False
    yield "\n"


def _blocks(document: Document, filled: Callable[[Entry], Entry]) -> Iterator[str]:
    if document.title:
        yield f"# {escape_inline(document.title)}"
    if document.intro:
        yield document.intro
    if document.map_mermaid:
        yield f"{'#' * TOP_AREA_LEVEL} Map"
        yield f"```mermaid\n{document.map_mermaid}```"
    if document.sections:
        yield f"{'#' * TOP_AREA_LEVEL} Contents"
        yield _contents(document)
    if document.areas_table is not None:
        yield from areas_table_blocks(document.areas_table, TOP_AREA_LEVEL)
    if document.matrix is not None:
        yield from matrix_blocks(document.matrix, TOP_AREA_LEVEL)
    for section in document.sections:
        yield from _section(section, document, filled)
    if document.other is not None:
        yield from _section(document.other, document, filled)
    if not document.entries:
        yield "No papers match this selection."


def _link(text: str, anchor: str) -> str:
    return f"[{escape_inline(text)}](#{anchor})"


def _contents(document: Document) -> str:
    lines: list[str] = []

    def visit(section: Section, indent: int) -> None:
        lines.append(f"{'  ' * indent}- {_link(section.name, section.anchor)}")
        for child in section.children:
            visit(child, indent + 1)

    for section in document.sections:
        visit(section, 0)
    if document.other is not None:
        lines.append(f"- {_link(document.other.name, document.other.anchor)}")
    return "\n".join(lines)


def _section(
    section: Section, document: Document, filled: Callable[[Entry], Entry]
) -> Iterator[str]:
    level = min(TOP_AREA_LEVEL + section.depth, MAX_AREA_LEVEL)
    name = escape_inline(section.name)
    yield f'{"#" * level} <a id="{section.anchor}"></a>{name}'
    if section.fields:
        yield fields_line(list(section.fields.items()))
    if section.description:
        yield section.description
    if section.references:
        yield "*Also in this area (written in full under another area):*"
        yield "\n".join(_reference(placed) for placed in section.references)
    stances = any(placed.stance for placed in section.entries)
    for label, group in _by_stance(section.entries):
        if stances:
            yield f"**{label}**"
        for placed in group:
            yield from _entry(placed, filled(placed.entry), min(level + 1, MAX_LEVEL), document)
    for child in section.children:
        yield from _section(child, document, filled)


def _by_stance(entries: list[Placed]) -> list[tuple[str, list[Placed]]]:
    """The entries grouped supporting, undercutting, background, then without a stance."""
    groups = [
        (label, [p for p in entries if p.stance == stance]) for stance, label in STANCE_GROUPS
    ]
    return [(label, group) for label, group in groups if group]


def _reference(placed: Placed) -> str:
    entry = placed.entry
    line = f"- {_link(entry.title, entry.anchor)}"
    if entry.short:
        line += f" ({escape_inline(entry.short)})"
    if entry.home is not None:
        line += f", in {_link(entry.home.name, entry.home.anchor)}"
    if placed.note:
        line += f": {escape_inline(placed.note)}"
    if placed.stance:
        line += f" ({placed.stance})"
    return line


def _entry(placed: Placed, entry: Entry, level: int, document: Document) -> Iterator[str]:
    title = escape_inline(entry.title)
    if entry.url:
        title = f"[{title}]({entry.url})"
    yield f'{"#" * level} <a id="{entry.anchor}"></a>{title}'
    yield _citation(entry)
    facts = _facts(entry, document)
    if facts:
        yield facts
    if placed.note:
        yield f"*In this area:* {escape_inline(placed.note)}"
    if entry.annotation:
        yield entry.annotation
    yield from (_note(note) for note in entry.notes)
    for group in entry.relations:
        papers = []
        for other in group.papers:
            text = (
                _link(other.title, other.anchor)
                if other.anchor
                else f"*{escape_inline(other.title)}*"
            )
            papers.append(f"{text} ({escape_inline(other.note)})" if other.note else text)
        yield f"**{group.label}:** " + "; ".join(papers)
    if entry.also_in:
        links = ", ".join(_link(area.name, area.anchor) for area in entry.also_in)
        yield f"*Also in:* {links}"


def _note(note: EntryNote) -> str:
    """A quote as a block quote (its location after it); any other note under its label."""
    location = escape_inline(note.location)
    if note.kind == "quote":
        quoted = [f"> {line}" if line else ">" for line in note.markdown.splitlines()]
        if location:
            quoted += [">", f"> — {location}"]
        return "\n".join(quoted)
    where = f" ({location})" if location else ""
    return f"**{note.label}{where}:**\n\n{note.markdown}"


def _citation(entry: Entry) -> str:
    """Authors (year). *Venue*. identifiers: the line under a paper's heading."""
    people = ", ".join(escape_inline(name) for name in entry.shown_authors)
    if entry.et_al:
        people += " et al."
    elif not people and entry.editors:
        people = ", ".join(escape_inline(name) for name in entry.editors)
        people += " (eds.)" if len(entry.editors) > 1 else " (ed.)"
    parts: list[str] = []
    if people and entry.year:
        parts.append(f"{people} ({entry.year}).")
    elif people or entry.year:
        text = people or str(entry.year)
        parts.append(text if text.endswith(".") else f"{text}.")
    if entry.venue:
        venue = escape_inline(entry.venue)
        parts.append(f"*{venue}*" if venue.endswith(".") else f"*{venue}*.")
    if entry.arxiv_id and entry.arxiv_url:
        parts.append(f"[arXiv:{escape_inline(entry.arxiv_id)}]({entry.arxiv_url})")
    if entry.doi and entry.doi_url:
        parts.append(f"[doi:{escape_inline(entry.doi)}]({entry.doi_url})")
    if not parts:
        parts.append(f"`{entry.key}`" if "`" not in entry.key else escape_inline(entry.key))
    return escape_line_start(" ".join(parts))


def _facts(entry: Entry, document: Document) -> str:
    facts = []
    if entry.tags:
        facts.append("*Tags:* " + ", ".join(escape_inline(tag) for tag in entry.tags))
    if document.with_status:
        facts.append(f"*Status:* {entry.status.replace('_', ' ')}")
    if document.with_rating and entry.rating is not None:
        facts.append(f"*Rating:* {entry.rating}/{entry.rating_scale}")
    if entry.shown_fields:
        facts.append(fields_line(entry.shown_fields))
    return " · ".join(facts)
