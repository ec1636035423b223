"""The ``litreview users`` commands: the members of a shared library (add, list, remove,
passwd, role). The first member added turns sign-in on for ``litreview serve``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import typer

from litreview.choices import MemberRole
from litreview.cli_output import rich_console, say

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

users_app = typer.Typer(help="Members of a shared library and their roles.", no_args_is_help=True)


class CliContext(Protocol):
    def engine(self) -> Engine: ...


def _engine(ctx: typer.Context) -> Engine:
    context: CliContext = ctx.find_root().obj
    return context.engine()


def _password(given: str | None, ask: bool) -> str | None:
    if given is not None or not ask:
        return given
    entered: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return entered


@users_app.command("add")
def add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The member's name (they sign in with it)."),
    role: MemberRole = typer.Option(..., "--role", help="owner, editor or viewer."),
    password: bool = typer.Option(
        False, "--password", help="Set the password now (asked twice); else on first sign-in."
    ),
) -> None:
    """Add a member; without --password they choose theirs when they first sign in."""
    from litreview.db import session_scope
    from litreview.library.members import add_member

    secret = _password(None, password)
    with session_scope(_engine(ctx)) as session:
        member = add_member(session, name, role, secret)
        say(f"added {member.name} ({member.role.value})")


@users_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Show the members, their roles and whether they have a password yet."""
    from rich.markup import escape
    from rich.table import Table

    from litreview.db import session_scope
    from litreview.library.members import list_members

    with session_scope(_engine(ctx), writes=False) as session:
        table = Table("name", "role", "password")
        for member in list_members(session):
            has = "set" if member.password_hash else "on first sign-in"
            table.add_row(escape(member.name), member.role.value, has)
        rich_console().print(table)


@users_app.command("remove")
def remove_command(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove a member (their sessions and tokens end; what they wrote stays)."""
    from litreview.db import session_scope
    from litreview.library.members import find_member, remove_member

    with session_scope(_engine(ctx)) as session:
        remove_member(session, find_member(session, name))
        say(f"removed {name}")


@users_app.command("passwd")
def passwd_command(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    password: str | None = typer.Option(
        None, "--password", help="The new password (asked twice when not given)."
    ),
) -> None:
    """Set a member's password (their sign-in sessions end)."""
    from litreview.db import session_scope
    from litreview.library.members import find_member, set_password

    secret = _password(password, True)
    assert secret is not None
    with session_scope(_engine(ctx)) as session:
        set_password(session, find_member(session, name), secret)
        say(f"password of {name} set")


@users_app.command("role")
def role_command(
    ctx: typer.Context, name: str = typer.Argument(...), role: MemberRole = typer.Argument(...)
) -> None:
    """Change a member's role."""
    from litreview.db import session_scope
    from litreview.library.members import find_member, set_role

    with session_scope(_engine(ctx)) as session:
        set_role(session, find_member(session, name), role)
        say(f"{name} is now {role.value}")


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group to the main CLI."""
    app.add_typer(users_app, name="users")
