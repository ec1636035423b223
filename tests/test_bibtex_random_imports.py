"""Random pieces of the corpus, imported in random batches: never a crash, and the counts add up.

Each round cuts random runs of entries out of a few corpus files, concatenates them in a random
order (a file may come twice: the same keys again), and stores the records in batches of random
sizes, first into a fresh library and then into the same, no longer empty, one. The seed is
fixed (``LITREVIEW_RANDOM_SEED`` sets another) and named in every failure.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from bibtex_helpers import fresh_engine
from sqlalchemy import func
from sqlmodel import Session, select

from litreview.importers.bibtex import parse_bibtex
from litreview.importers.encoding import decode_bibtex_bytes
from litreview.library.importing import RecordImporter
from litreview.models import Paper

pytestmark = pytest.mark.corpus

ROUNDS = 4
BATCH_SIZES = (1, 2, 7, 50, 400)
MAX_FILE_BYTES = 600_000  # the largest files are read whole by the other corpus tests


def _pieces(rng: random.Random, files: list[Path]) -> str:
    """Runs of entries from two to six files (one may come twice), in a random order."""
    texts = []
    # Most corpus files hold one entry: the larger ones are picked more often.
    for path in rng.choices(files, weights=[p.stat().st_size for p in files], k=rng.randint(2, 6)):
        text = decode_bibtex_bytes(path.read_bytes()).text
        starts = [0, *(m.start() + 1 for m in re.finditer("\n@", text))]
        first = rng.randrange(len(starts))
        last = rng.randrange(first, len(starts)) + 1
        end = starts[last] if last < len(starts) else len(text)
        texts.append(text[starts[first] : end])
    rng.shuffle(texts)
    return "\n".join(texts)


def _papers(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Paper)).one()


def test_random_pieces_in_random_batches_import_and_add_up(
    corpus: Path, template_db: Path, tmp_path: Path
) -> None:
    seed = int(os.environ.get("LITREVIEW_RANDOM_SEED", "14"))
    rng = random.Random(seed)
    files = [p for p in sorted((corpus / "bibtex").iterdir()) if p.stat().st_size <= MAX_FILE_BYTES]
    for round_ in range(ROUNDS):
        engine = fresh_engine(template_db, tmp_path / f"round{round_}.db")
        with Session(engine) as session:
            for part in ("fresh", "non-empty"):
                where = f"seed {seed}, round {round_}, {part} library"
                records = parse_bibtex(_pieces(rng, files), source="random.bib").records
                before = _papers(session)
                importer = RecordImporter(session)
                done = 0
                try:
                    while done < len(records):
                        size = rng.choice(BATCH_SIZES)
                        importer.add(records[done : done + size])
                        done += size
                    session.commit()
                except Exception as exc:
                    raise AssertionError(f"{where}: {exc!r}") from exc
                counts = importer.report().counts()
                assert sum(counts.values()) == len(records), (where, counts)
                assert _papers(session) == before + counts["added"], (where, counts)
        engine.dispose()
