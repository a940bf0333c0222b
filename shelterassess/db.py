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
