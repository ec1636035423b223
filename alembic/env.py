"""Alembic environment: runs migrations on the engine litreview hands over (or on the URL)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import litreview.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from litreview.db import make_engine

config = context.config
target_metadata = SQLModel.metadata

# Tables that migrations own but the models do not describe (FTS5 and its shadow tables).
UNMODELLED_PREFIXES = ("paper_fts",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES))


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, drop, rename): with foreign keys enforced, the
            # drop would cascade to the rows pointing at it (a paper's areas) or be refused.
            # SQLite ignores this pragma inside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=True,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"a migration broke references: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations()
