"""Declarative base, naming convention and shared column types."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[
    dt.datetime,
    mapped_column(DateTime(timezone=True), default=lambda: utcnow(), server_default=func.now()),
]
str40 = Annotated[str, 40]
str200 = Annotated[str, 200]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            str40: String(40),
            str200: String(200),
            dt.datetime: DateTime(timezone=True),
        },
    )


def lock_rows(session, model, ids) -> None:
    """Hold write locks on these rows of ``model``'s table until the transaction ends, then
    make the session read them (and everything else) afresh.

    A service calls this before it checks a rule and changes data, so that a parallel
    request doing the same cannot slip in between the check and the commit. PostgreSQL
    takes row locks (``SELECT … FOR UPDATE``); SQLite has one lock for the whole database,
    taken by a write, so a no-op ``UPDATE`` of the rows starts the write transaction (other
    writers wait up to the busy timeout). Rows are locked in id order, so two services
    locking overlapping rows cannot deadlock. Pending changes are flushed first.
    """
    from sqlalchemy import bindparam, select, text

    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted:
        return
    session.flush()
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(table.c.id).where(table.c.id.in_(wanted)).order_by(table.c.id).with_for_update())
    else:
        # nosemgrep: sql-built-from-string (no user input: the table name is the model's, the ids are bound)
        statement = text(f'UPDATE "{table.name}" SET id = id WHERE id IN :ids')  # noqa: S608  # nosec B608
        session.execute(statement.bindparams(bindparam("ids", expanding=True)), {"ids": wanted})
    session.expire_all()
