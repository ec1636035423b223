"""Benchmark: how long the ``litreview`` command takes to start, as a whole process.

    python bench/cli_startup.py [--runs 15]

Each case is a fresh process started the way a user starts it (the installed ``litreview``
script next to this interpreter), timed from outside against ``python -c pass`` run in turn
with it, so the interpreter's own start cancels out and a drift in the machine's speed hits
both alike. Cases: ``litreview --help``; importing a one-entry BibTeX file into a library that
exists (the common case: the schema is at head); the same into a new file (creates the schema
through Alembic). Printed per case: median wall and CPU seconds, and the median of the
per-pair differences to ``python -c pass``. Target: ``--help`` and the one-entry import each
within 0.25 s of ``python -c pass`` (the import's own work, one entry, is a few milliseconds).

The commands run with their bytecode cached, as an installed package's is (pip compiles it at
install): ``PYTHONDONTWRITEBYTECODE`` is dropped from their environment, else a source checkout
would compile each of its modules again in every run. The last lines are floors, timed the same
way: importing the libraries the project is built on (SQLModel, which loads SQLAlchemy's ORM and
pydantic; and typer), which any command that reads or writes the library pays, and that plus
the library's tables (``import litreview.models``: the 24 SQLModel classes built). The summary
line says how far each command is above the libraries' floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ONE_ENTRY = (
    "@article{one2020,\n  title = {One Entry},\n  author = {Doe, Jane},\n  year = {2020}\n}\n"
)


# A user's environment: bytecode written once and read after (see the module's docstring).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# Floors: the libraries every command that reads or writes the library loads (SQLModel, with
# SQLAlchemy's ORM and pydantic; typer), and those with the library's tables.
FLOORS = {
    "floor: import sqlmodel": "import sqlmodel",
    "floor: sqlmodel and typer": "import sqlmodel, typer",
    "floor: + the tables": "import typer, litreview.models",
}


def run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, this child alone) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=CHILD_ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(
    name: str, argv: list[str], runs: int, before_each: Callable[[], None] = lambda: None
) -> tuple[float, float]:
    """Print a case's medians; return its median wall and CPU seconds over ``python -c pass``."""
    baseline = [sys.executable, "-c", "pass"]
    walls: list[float] = []
    cpus: list[float] = []
    extra_wall: list[float] = []
    extra_cpu: list[float] = []
    before_each()
    run(argv)  # warm-up: the page cache and .pyc files, as for a user's second command
    for _ in range(runs):
        base_wall, base_cpu = run(baseline)
        before_each()
        wall, cpu = run(argv)
        walls.append(wall)
        cpus.append(cpu)
        extra_wall.append(wall - base_wall)
        extra_cpu.append(cpu - base_cpu)
    med = statistics.median
    print(
        f"{name:<28} wall {med(walls):.3f} s  cpu {med(cpus):.3f} s   "
        f"over python -c pass: wall +{med(extra_wall):.3f} s  cpu +{med(extra_cpu):.3f} s"
        f"  (min +{min(extra_wall):.3f}, max +{max(extra_wall):.3f})"
    )
    return med(extra_wall), med(extra_cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    script = str(Path(sys.executable).with_name("litreview"))
    env_db = "LITREVIEW_DATABASE_URL"
    os.environ.pop(env_db, None)
    with tempfile.TemporaryDirectory() as folder:
        bib = Path(folder) / "one.bib"
        bib.write_text(ONE_ENTRY, encoding="utf-8")
        library = Path(folder) / "library.db"
        fresh = Path(folder) / "fresh.db"

        def remove_fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{fresh}{suffix}").unlink(missing_ok=True)

        subprocess.run(
            [script, "--db", str(library), "db", "upgrade"], check=True, stdout=subprocess.DEVNULL
        )
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"python -c pass vs litreview, {args.runs} runs each, in turn (load {load})")
        ours = {
            "--help": measure("litreview --help", [script, "--help"], args.runs),
            "import (library exists)": measure(
                "import (library exists)",
                [script, "--db", str(library), "import", str(bib)],
                args.runs,
            ),
            "import (new library)": measure(
                "import (new library)",
                [script, "--db", str(fresh), "import", str(bib)],
                args.runs,
                remove_fresh,
            ),
        }
        floors = {
            name: measure(name, [sys.executable, "-c", code], args.runs)
            for name, code in FLOORS.items()
        }
        wall, cpu = floors["floor: sqlmodel and typer"]
        above = ", ".join(
            f"{name} {w - wall:+.3f} s (cpu {c - cpu:+.3f})" for name, (w, c) in ours.items()
        )
        print(f"above the libraries' floor (import sqlmodel, typer; medians): {above}")


if __name__ == "__main__":
    main()
