"""The paper query's fields as options of a typer command, derived from the one declaration in
:mod:`litreview.query`."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from litreview.query import PaperFilter, cli_flags

F = TypeVar("F", bound=Callable[..., Any])


def query_options(model: type[PaperFilter], *, skip: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Give a typer command one option per field of ``model`` that has flags (but ``skip``);
    the command receives them as ``query``, a validated ``model``.

    Options are typed as text and validated by the model, so the CLI refuses what the API
    refuses, with the same rule (``--status devoured`` fails, naming the known statuses).
    """

    def decorate(command: F) -> F:
        signature = inspect.signature(command)
        own = [p for p in signature.parameters.values() if p.name != "query"]
        flags = {n: cli_flags(model, n) for n in model.model_fields if n not in skip}
        fields = {n: f for n, f in flags.items() if f}
        added = []
        for name, names in fields.items():
            info = model.model_fields[name]
            many = typing.get_origin(info.annotation) is list
            kind: Any = list[str] if many else (bool | None if "/" in names[0] else str | None)
            default = typer.Option([] if many else None, *names, help=info.description)
            added.append(
                inspect.Parameter(
                    f"query_{name}",
                    inspect.Parameter.KEYWORD_ONLY,
                    default=default,
                    annotation=kind,
                )
            )

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(f"query_{name}") for name in fields}
            kwargs["query"] = model.parse(**{k: v for k, v in values.items() if v != []})
            return command(*args, **kwargs)

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
        return typing.cast(F, run)

    return decorate
