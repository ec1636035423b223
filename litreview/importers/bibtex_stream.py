"""A large BibTeX file is parsed in a second process while this one stores what it sends.

Parsing (bibtexparser's splitter, macros, LaTeX, names) and storing (SQLite inserts and the
full-text index) take about as long as each other, and Python runs one of them at a time per
process. :func:`record_batches` runs :func:`parse_bibtex_batches` in a child process and yields
its batches here as they arrive, so the caller stores batch *n* while the child parses batch
*n + 1*. A thread drains the pipe, so the child never waits for the store.

The child only parses: it never touches the database, and everything it found (records,
problems, counts) comes back through the pipe. If it dies, the caller gets ImportFailed and, as
the caller stores in one transaction, nothing of the file is kept. Small files, machines with
one core and platforms without ``fork``/``forkserver`` parse in this process, with the same
batches and results.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from litreview.errors import ImportFailed
from litreview.importers.bibtex import FIRST_PIECE_CHARS, PIECE_CHARS, parse_bibtex_batches
from litreview.importers.records import ImportResult, PaperRecord

T = TypeVar("T")

# Below this many characters (~1,200 entries) a child process costs more than it saves.
CHILD_MIN_CHARS = 512 * 1024


def record_batches(
    text: str,
    result: ImportResult,
    transform: Callable[[list[PaperRecord]], T],
    *,
    source: str,
    parallel: bool | None = None,
    piece_chars: int = PIECE_CHARS,
    first_piece_chars: int = FIRST_PIECE_CHARS,
) -> Iterator[T]:
    """``transform`` of each record batch of ``text``, parsed in a child process when that pays.

    ``transform`` (a module-level function, so a child can be given it) runs where the parse
    does: work the caller would do on each batch anyway moves off the storing process.
    ``parallel``: None decides by size and cores, True uses a child whenever the platform has
    one, False never does. Problems and info go to ``result`` once the last batch is out.
    """
    preload = (getattr(transform, "__module__", None) or __name__,)
    context = _child_context(preload) if parallel is not False else None
    wanted = parallel or (len(text) >= CHILD_MIN_CHARS and _cores() > 1)
    if context is None or not wanted:
        yield from _transformed(text, result, source, transform, piece_chars, first_piece_chars)
        return
    args = (text, source, transform, piece_chars, first_piece_chars)
    yield from _from_child(context, result, args)


def _transformed(
    text: str,
    result: ImportResult,
    source: str,
    transform: Callable[[list[PaperRecord]], T],
    piece_chars: int,
    first_piece_chars: int,
) -> Iterator[T]:
    """What this process or the child runs: the parse, each batch through ``transform``."""
    batches = parse_bibtex_batches(
        text, result, source=source, piece_chars=piece_chars, first_piece_chars=first_piece_chars
    )
    for batch in batches:
        yield transform(batch)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _child_context(preload: tuple[str, ...] = ()) -> BaseContext | None:
    """``fork`` from a single-threaded process (instant); else a clean ``forkserver`` child.

    Forking a process whose other threads may hold locks is unsafe, so a server (whose
    requests run in threads) gets its children from a forkserver, started once. The server
    imports ``__main__`` and the modules the child needs once, so each child starts at once.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", __name__, *preload])
        return context
    return None


def _from_child(context: BaseContext, result: ImportResult, args: tuple[Any, ...]) -> Iterator[Any]:
    source = args[1]
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(  # type: ignore[attr-defined]
        target=_parse_in_child,
        args=(sender, *args),
        name="litreview-bibtex-parser",
        daemon=True,
    )
    child.start()
    sender.close()  # the child holds the only writing end: its exit ends the stream
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    reader = threading.Thread(target=_drain, args=(receiver, inbox), daemon=True)
    reader.start()
    try:
        while True:
            message = inbox.get()
            if message is None:
                child.join()
                raise ImportFailed(
                    f"{source}: the BibTeX parser process stopped before the end of the file"
                    f" (exit code {child.exitcode}); nothing of this file was stored"
                )
            kind, payload = pickle.loads(message)
            if kind == "batch":
                yield payload
            elif kind == "error":
                raise payload
            else:
                problems, info = payload
                result.problems.extend(problems)
                result.info.update(info)
                return
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        reader.join()
        receiver.close()


def _drain(receiver: Connection, inbox: queue.SimpleQueue[bytes | None]) -> None:
    """Move every message from the pipe to the inbox as it arrives; None at the end."""
    try:
        while True:
            inbox.put(receiver.recv_bytes())
    except (EOFError, OSError):
        inbox.put(None)


def _parse_in_child(
    sender: Connection,
    text: str,
    source: str,
    transform: Callable[[list[PaperRecord]], Any],
    piece_chars: int,
    first_piece_chars: int,
) -> None:
    gc.disable()  # as in the parent's import: many small objects that all stay alive
    result = ImportResult()
    try:
        for batch in _transformed(text, result, source, transform, piece_chars, first_piece_chars):
            sender.send_bytes(pickle.dumps(("batch", batch), pickle.HIGHEST_PROTOCOL))
        done = (result.problems, dict(result.info))
        sender.send_bytes(pickle.dumps(("done", done), pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # sent to the parent, which raises it in its own frame
        try:
            message = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot be pickled is sent as its text
            message = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        sender.send_bytes(message)
    finally:
        sender.close()
