"""Two writers at the same instant: the harness of the "two tabs" race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from litreview.errors import Conflict

CONFLICT = "conflict"


def race(engine: Engine, write: Callable[[Session, str], None], texts: list[str]) -> list[str]:
    """Run ``write(own_session, text)`` for each text in its own thread, released together.

    Each writer commits on success. Returns, in finishing order, the text of each writer that
    committed and ``"conflict"`` for each that got a Conflict; anything else is raised.
    """
    barrier = threading.Barrier(len(texts))
    results: list[str] = []
    errors: list[BaseException] = []

    def run(text: str) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                write(own, text)
                own.commit()
                results.append(text)
            except Conflict:
                own.rollback()
                results.append(CONFLICT)
            except BaseException as exc:  # re-raised in the test's thread below
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
