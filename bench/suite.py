"""Benchmark: the non-browser test suite's time, against an older checkout's suite run in turn.

    python bench/suite.py [--old DIR] [--save PREFIX] [-- PYTEST ARGS]

Runs ``pytest -q -m "not browser"`` in this checkout and, with ``--old``, in ``DIR`` (a checkout
with its own ``.venv``: 170e371, where #13 was filed, ran that pass twice in its CI), one after
the other, each with its own venv, its own ``addopts`` (this checkout's runs the tests on two
pytest-xdist workers, as the README's test command does; their CPU is in pytest's, as processes
it waited for) and ``LITREVIEW_CORPUS`` as set. Each run gets a TMPDIR of its own, so the
PostgreSQL clusters its tests start (tests/pg_server.py; one a worker) are found there and their
CPU counted: each postmaster's own and its ended backends' (``cutime``/``cstime``), plus the live
ones', read from /proc every 0.2 s until it stops; that CPU is not in pytest's. Printed per
suite: the summary line, wall seconds, CPU seconds of pytest with the children it waited for,
of the PostgreSQL server, and the load; then new / (2 x old) in CPU and in wall: the issue's
target is at most half of the two passes, a ratio ≤ 0.5.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    summary: str
    wall: float
    cpu: float  # pytest and the children it waited for (CLI processes, servers)
    postgres: float  # the tests' PostgreSQL server and its backends
    load: str


def _stat_cpu(pid: int, children: bool) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])
    ended = int(fields[13]) + int(fields[14]) if children else 0
    return (own + ended) / TICK


def _server_cpu(pid: int) -> float:
    total = _stat_cpu(pid, children=True)
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        for child in f.read().split():
            # One that ended meanwhile is in the postmaster's cutime at the next reading.
            with contextlib.suppress(OSError, ValueError):
                total += _stat_cpu(int(child), children=True)
    return total


def _watch_postgres(folder: Path, done: threading.Event, seen: dict[int, float]) -> None:
    """The last CPU reading of every postmaster whose data directory is under ``folder``."""
    while not done.is_set():
        for pid_file in glob.glob(str(folder / "litreview-pg-*" / "data" / "postmaster.pid")):
            with contextlib.suppress(OSError, ValueError):  # starting or stopping: next time
                with open(pid_file) as f:
                    pid = int(f.readline())
                seen[pid] = _server_cpu(pid)
        done.wait(0.2)


def run_suite(checkout: Path, pytest_args: list[str], save: Path | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="suite-bench-") as folder:
        os.chmod(folder, 0o755)  # the cluster runs as the postgres user when we are root
        env = {**os.environ, "TMPDIR": folder}
        done, seen = threading.Event(), {}
        watcher = threading.Thread(target=_watch_postgres, args=(Path(folder), done, seen))
        watcher.start()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = [str(checkout / ".venv" / "bin" / "pytest"), "-q", "-m", "not browser"]
        done_run = subprocess.run(
            [*command, "-p", "no:cacheprovider", *pytest_args],
            cwd=checkout, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        done.set()
        watcher.join()
    if save is not None:
        save.write_text(done_run.stdout + done_run.stderr)
    lines = done_run.stdout.strip().splitlines()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = lines[-1] if lines else done_run.stderr.strip()[-200:]
    return Run(
        summary, wall, cpu, sum(seen.values()), " ".join(f"{x:.1f}" for x in os.getloadavg())
    )


def show(name: str, run: Run) -> None:
    print(f"{name}: {run.summary}")
    print(
        f"  {run.wall:.0f} s wall, {run.cpu:.0f} s CPU (pytest), {run.postgres:.0f} s CPU "
        f"(PostgreSQL), {run.cpu + run.postgres:.0f} s CPU in all; load after {run.load}"
    )


def _saved(prefix: Path | None, name: str) -> Path | None:
    return None if prefix is None else prefix.with_name(f"{prefix.name}-{name}.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, help="an older checkout with its own .venv")
    parser.add_argument("--save", type=Path, help="each run's pytest output to SAVE-old/-new.txt")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args()
    runs = {}
    if args.old is not None:
        runs["old"] = run_suite(args.old.resolve(), args.pytest_args, _saved(args.save, "old"))
        show(f"old ({args.old})", runs["old"])
    runs["new"] = run_suite(REPO, args.pytest_args, _saved(args.save, "new"))
    show("new (this checkout)", runs["new"])
    if "old" in runs:
        old, new = runs["old"], runs["new"]
        cpu = (new.cpu + new.postgres) / (2 * (old.cpu + old.postgres))
        print(
            f"new / (2 x old): CPU {cpu:.2f}, wall {new.wall / (2 * old.wall):.2f} (target <= 0.5)"
        )


if __name__ == "__main__":
    main()
