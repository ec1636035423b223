"""A Markdown annotation survives BibTeX export and re-import: lines, lists, code, escapes."""

from __future__ import annotations

from sqlmodel import Session

from litreview.exporters.bibtex import render_bibtex
from litreview.importers.bibtex import parse_bibtex
from litreview.importers.records import PaperRecord
from litreview.library.papers import import_records
from litreview.library.views import load_paper_views
from litreview.models import SourceKind

MARKDOWN = """Summary with `x_1`, **bold** -- and 50% & $5.

- first point
  - nested point
- braces {kept}

```python
print("code & stuff")
```"""


def test_annotation_markdown_round_trips_through_bibtex(session: Session) -> None:
    record = PaperRecord(title="Round trip", source=SourceKind.manual, annotation=MARKDOWN)
    paper_id = import_records(session, [record]).outcomes[0].paper_id
    assert paper_id is not None
    text = render_bibtex(load_paper_views(session, [paper_id]))
    [parsed] = parse_bibtex(text, source="export.bib").records
    assert parsed.annotation == MARKDOWN
