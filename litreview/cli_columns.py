"""The ``litreview columns`` commands: list, add, edit, remove columns of one's own, set values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import typer

from litreview.choices import ColumnTarget, ColumnType
from litreview.cli_output import rich_console, say
from litreview.errors import InvalidInput
from litreview.formulas import slug

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

columns_app = typer.Typer(help="Columns of one's own, for papers and areas.", no_args_is_help=True)


class CliContext(Protocol):
    def engine(self) -> Engine: ...


def _engine(ctx: typer.Context) -> Engine:
    context: CliContext = ctx.find_root().obj
    return context.engine()


TargetOption = typer.Option(ColumnTarget.paper, "--target", help="Papers' or areas' columns.")


@columns_app.command("list")
def list_command(ctx: typer.Context, target: ColumnTarget | None = typer.Option(None)) -> None:
    """Show the columns with their type, options, unit, bounds and formula."""
    from rich.markup import escape
    from rich.table import Table

    from litreview.db import session_scope
    from litreview.library.columns import list_columns

    with session_scope(_engine(ctx), writes=False) as session:
        table = Table("target", "name", "key", "type", "options / formula", "unit", "bounds")
        for column in list_columns(session, target):
            bounds = ""
            if column.minimum is not None or column.maximum is not None:
                low = "" if column.minimum is None else f"{column.minimum:g}"
                high = "" if column.maximum is None else f"{column.maximum:g}"
                bounds = f"{low}..{high}"
            table.add_row(
                column.target.value,
                escape(column.name),
                slug(column.name),
                "formula" if column.formula else column.type.value,
                escape(column.formula or ", ".join(column.options)),
                escape(column.unit),
                bounds,
            )
        rich_console().print(table)


@columns_app.command("add")
def add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The column's name."),
    type: ColumnType = typer.Option(ColumnType.text, "--type", help="The type of its values."),
    target: ColumnTarget = TargetOption,
    option: list[str] = typer.Option([], "--option", "-o", help="A choice (repeat, in order)."),
    formula: str | None = typer.Option(None, help="Compute it: e.g. 'p_success * impact'."),
    unit: str = typer.Option("", help="Unit shown with its numbers."),
    minimum: float | None = typer.Option(None, "--min", help="Lowest allowed value."),
    maximum: float | None = typer.Option(None, "--max", help="Highest allowed value."),
    description: str = typer.Option("", help="What the column holds."),
) -> None:
    """Add a column (a choice column needs --option; a formula makes it computed)."""
    from litreview.db import session_scope
    from litreview.library.column_edits import create_column

    with session_scope(_engine(ctx)) as session:
        column = create_column(
            session,
            name=name,
            type=type,
            target=target,
            options=option,
            formula=formula,
            unit=unit,
            minimum=minimum,
            maximum=maximum,
            description=description,
        )
        say(f"added {column.target.value} column {column.name!r} ({slug(name)})")


@columns_app.command("edit")
def edit_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The column's name."),
    target: ColumnTarget = TargetOption,
    rename: str | None = typer.Option(None, help="A new name (formulas follow)."),
    option: list[str] = typer.Option([], "--option", "-o", help="The new options, in order."),
    formula: str | None = typer.Option(None, help="A new formula."),
    unit: str | None = typer.Option(None, help="A new unit."),
) -> None:
    """Rename a column, change its options (those in use stay), formula or unit."""
    from litreview.db import session_scope
    from litreview.library.column_edits import update_column
    from litreview.library.columns import find_column

    changes: dict[str, Any] = {"name": rename, "unit": unit}
    if option:
        changes["options"] = option
    if formula is not None:
        changes["formula"] = formula
    with session_scope(_engine(ctx)) as session:
        column = find_column(session, target, name)
        assert column.id is not None
        update_column(session, column.id, {k: v for k, v in changes.items() if v is not None})
        say(f"changed column {column.name!r}")


@columns_app.command("remove")
def remove_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The column's name."),
    target: ColumnTarget = TargetOption,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting values."),
) -> None:
    """Delete a column and its values (asks first when it holds any)."""
    from litreview.db import session_scope
    from litreview.library.column_edits import count_values, delete_column
    from litreview.library.columns import find_column

    with session_scope(_engine(ctx)) as session:
        column = find_column(session, target, name)
        assert column.id is not None
        held = count_values(session, column)
        if (
            held
            and not yes
            and not typer.confirm(f"column {column.name!r} holds {held} values; delete them?")
        ):
            raise InvalidInput(f"column {column.name!r} kept")
        deleted = delete_column(session, column.id)
        say(f"removed column {column.name!r} and {deleted} values")


@columns_app.command("set")
def set_command(
    ctx: typer.Context,
    row: str = typer.Argument(..., help="A paper's citation key (or an area path with --target)."),
    values: list[str] = typer.Argument(..., metavar="NAME=VALUE", help="Values ('' clears)."),
    target: ColumnTarget = TargetOption,
) -> None:
    """Set values of a paper's (or an area's) columns: ``p_success="0.1 to 0.3"``."""
    from litreview.db import session_scope
    from litreview.library.areas import find_area_path
    from litreview.library.papers_base import get_paper_by_key
    from litreview.library.values import set_area_fields, set_paper_fields

    fields: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise InvalidInput(f"expected NAME=VALUE, got {item!r}")
        fields[name.strip()] = value
    with session_scope(_engine(ctx)) as session:
        if target == ColumnTarget.paper:
            paper = get_paper_by_key(session, row)
            assert paper.id is not None
            set_paper_fields(session, paper.id, fields)
        else:
            area = find_area_path(session, row)
            assert area.id is not None
            set_area_fields(session, area.id, fields)
        say(f"set {len(fields)} values of {row}")


def register(app: typer.Typer) -> None:
    """Add the ``columns`` command group to the main CLI."""
    app.add_typer(columns_app, name="columns")
