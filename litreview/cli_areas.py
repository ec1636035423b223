"""``litreview areas``: the tree and the map of research areas from the command line.

``litreview areas`` prints the tree; its subcommands add areas, set a status, order siblings,
link areas (``litreview areas link A B --type enables``), place papers with a stance, and
delete an area after saying what happens to its sub-areas and papers. Areas are named by path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import typer

from litreview.choices import AreaRelation, AreaStatus, ChildrenChoice, Stance
from litreview.cli_output import rich_console, say
from litreview.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from litreview.library.areas import AreaNode


class CliContext(Protocol):
    def engine(self) -> Engine: ...


areas_app = typer.Typer(
    help="The tree and map of research areas (no subcommand: print the tree).",
    invoke_without_command=True,
)


def command_engine(ctx: typer.Context) -> Engine:
    """The engine of the command's root context (schema upgraded)."""
    context: CliContext = ctx.find_root().obj
    return context.engine()


@contextmanager
def _session(ctx: typer.Context, *, writes: bool = True) -> Iterator[Session]:
    """One transaction for the command (the database modules load only when it runs)."""
    from litreview.db import session_scope

    with session_scope(command_engine(ctx), writes=writes) as session:
        yield session


def _area_id(session: Session, path: str) -> int:
    from litreview.library.areas import find_area_path

    area_id = find_area_path(session, path).id
    assert area_id is not None
    return area_id


@areas_app.callback()
def show_tree(ctx: typer.Context) -> None:
    """Show the tree of research areas with status and the number of papers in each."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.markup import escape
    from rich.tree import Tree

    from litreview.library.areas import area_tree

    with _session(ctx, writes=False) as session:
        tree = Tree("[bold]research areas[/bold]")

        def grow(branch: Tree, node: AreaNode) -> None:
            status = f" [{node.area.status}]" if node.area.status != AreaStatus.open else ""
            label = (
                f"{escape(node.area.name)}  [dim]{node.paper_count} papers{escape(status)}[/dim]"
            )
            child = branch.add(label)
            for sub in node.children:
                grow(child, sub)

        for root_node in area_tree(session):
            grow(tree, root_node)
        rich_console().print(tree)


@areas_app.command("add")
def add(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Area path, names joined by '/'."),
    status: AreaStatus | None = typer.Option(None, help="The area's status."),
) -> None:
    """Create an area (and whichever of its parents are missing)."""
    from litreview.library.areas import ensure_area_path, update_area

    with _session(ctx) as session:
        area = ensure_area_path(session, path)
        if status is not None:
            assert area.id is not None
            update_area(session, area.id, status=status)
        say(f"area {path}")


@areas_app.command("status")
def set_status(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Area path."),
    status: AreaStatus = typer.Argument(..., help="The new status."),
) -> None:
    """Set an area's status (open, active, promising, stalled, solved, abandoned)."""
    from litreview.library.areas import update_area

    with _session(ctx) as session:
        update_area(session, _area_id(session, path), status=status)


@areas_app.command("order")
def order(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Area path."),
    position: int = typer.Argument(..., help="Its place among its siblings, from 0."),
) -> None:
    """Move an area to a place among its siblings (0 = first)."""
    from litreview.library.areas import update_area

    with _session(ctx) as session:
        update_area(session, _area_id(session, path), position=position)


@areas_app.command("link")
def link(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Area path the link starts from."),
    target: str = typer.Argument(..., help="Area path the link points to."),
    relation: AreaRelation = typer.Option(AreaRelation.related, "--type", help="Link type."),
    note: str = typer.Option("", help="A note on the link."),
) -> None:
    """Link two areas: SOURCE enables / applies_to / alternative_to / related TARGET."""
    from litreview.library.area_links import link_areas

    with _session(ctx) as session:
        link_areas(
            session, _area_id(session, source), _area_id(session, target), relation, note=note
        )
        say(f"{source} {relation.value} {target}")


@areas_app.command("unlink")
def unlink(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Area path the link starts from."),
    target: str = typer.Argument(..., help="Area path the link points to."),
    relation: AreaRelation | None = typer.Option(None, "--type", help="Only this link type."),
) -> None:
    """Remove the links from SOURCE to TARGET (of one type with --type)."""
    from litreview.library.area_links import find_area_links, unlink_areas

    with _session(ctx) as session:
        found = find_area_links(
            session, _area_id(session, source), _area_id(session, target), relation
        )
        if not found:
            raise InvalidInput(f"no link from {source!r} to {target!r}")
        for area_link in found:
            assert area_link.id is not None
            unlink_areas(session, area_link.id)


@areas_app.command("links")
def links(ctx: typer.Context) -> None:
    """List the links between areas."""
    from litreview.library.area_links import load_map
    from litreview.library.areas import area_paths

    with _session(ctx, writes=False) as session:
        paths = area_paths(session)
        for lk in load_map(session).links:
            note = f"  ({lk.note})" if lk.note else ""
            line = f"{paths[lk.source_id]} --{lk.relation.value}--> {paths[lk.target_id]}{note}"
            say(line)


@areas_app.command("place")
def place(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The paper's citation key."),
    path: str = typer.Argument(..., help="Area path (created when missing)."),
    stance: Stance | None = typer.Option(None, help="How the paper bears on the area."),
    note: str | None = typer.Option(None, help="Why the paper is there."),
) -> None:
    """Put a paper in an area, with a stance (supports, undercuts, background) and a note."""
    from litreview.library.areas import ensure_area_path, set_paper_area
    from litreview.library.papers_base import get_paper_by_key

    with _session(ctx) as session:
        paper = get_paper_by_key(session, key)
        area = ensure_area_path(session, path)
        assert paper.id is not None and area.id is not None
        set_paper_area(
            session, paper.id, area.id, note=note, stance=stance, set_stance=stance is not None
        )


@areas_app.command("remove")
def remove(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="Area path."),
    children: ChildrenChoice | None = typer.Option(
        None, help="Sub-areas: lift them up one level, or delete the whole subtree."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an area, saying first what happens to its sub-areas and papers."""
    from litreview.library.areas import delete_area, deletion_plan

    with _session(ctx) as session:
        area_id = _area_id(session, path)
        plan = deletion_plan(session, area_id)
        if plan.sub_areas and children is None:
            raise InvalidInput(
                f"{path!r} has {len(plan.sub_areas)} sub-area(s): pass --children lift "
                f"({plan.describe(ChildrenChoice.lift)}) or --children delete "
                f"({plan.describe(ChildrenChoice.delete)})"
            )
        say(plan.describe(children))
        if not yes and not typer.confirm("Delete?", default=False):
            raise typer.Exit(1)
        delete_area(session, area_id, children=children)


def register(app: typer.Typer) -> None:
    """Add the ``areas`` command group to the main CLI."""
    app.add_typer(areas_app, name="areas")
