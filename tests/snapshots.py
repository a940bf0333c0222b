"""Database snapshots, for tests that send many requests against the same starting data.

``take()`` reads every row of every table; ``restore(snapshot)`` empties the tables and writes
the rows back, ids included, so every test that restores a snapshot starts from exactly the
same data, whatever an earlier test changed. ``World(keys(vars(world)))`` keeps the ORM
objects of a ``world`` namespace as (class, primary key), also inside lists, tuples and dicts,
and loads each again in the current session when a test first reads it: each test gets its own
fresh objects, and an object that was never stored fails loudly instead of being shared.

Used by tests/web/test_permission_matrix.py (one world per route case, restored for each role).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, inspect, or_, select
from sqlalchemy.orm.state import InstanceState

from shelterassess.extensions import db
from tests.conftest import truncate_all

Snapshot = list[tuple[Any, list[dict[str, Any]]]]


def take() -> Snapshot:
    """Every row of every table, in dependency order (parents first), each table by primary key."""
    snapshot: Snapshot = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if c.computed is None]
            rows = conn.execute(select(*columns).order_by(*table.primary_key.columns))
            snapshot.append((table, [{c.key: row._mapping[c] for c in columns} for row in rows]))
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Empty every table (when any has a row), then write the snapshot's rows back; a fresh session."""
    db.session.remove()
    tables = [table for table, _rows in snapshot]
    with db.engine.connect() as conn:
        anything = conn.scalar(select(or_(*(exists().select_from(t) for t in tables))))
    if anything:
        truncate_all()
    with db.engine.begin() as conn:
        for table, rows in snapshot:
            if rows:
                conn.execute(table.insert(), rows)


@dataclass(frozen=True)
class _Key:
    cls: type
    identity: tuple


def keys(value: Any) -> Any:
    """``value`` with every stored ORM object replaced by its class and primary key."""
    state = inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        if state.identity is None:
            raise ValueError(f"{value!r} is not stored: a snapshot cannot share it")
        return _Key(type(value), state.identity)
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(keys(v) for v in value)
    return value


def load(value: Any) -> Any:
    """The inverse of :func:`keys`: the objects loaded in the current session."""
    if isinstance(value, _Key):
        obj = db.session.get(value.cls, value.identity)
        if obj is None:
            raise LookupError(f"{value.cls.__name__} {value.identity} is not in the restored snapshot")
        return obj
    if isinstance(value, dict):
        return {k: load(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(load(v) for v in value)
    return value


class World:
    """A ``world`` namespace whose attributes are loaded from their :func:`keys` when first read
    (in the session of that moment); attributes set later are ordinary ones."""

    def __init__(self, stored: dict[str, Any]):
        self.__dict__["_stored"] = dict(stored)

    def __getattr__(self, name: str) -> Any:
        stored = self.__dict__["_stored"]
        if name not in stored:
            raise AttributeError(name)
        value = load(stored[name])
        self.__dict__[name] = value
        return value

    def keys(self) -> dict[str, Any]:
        """Every attribute as :func:`keys`, loaded or not (to share this world again)."""
        own = {name: keys(value) for name, value in self.__dict__.items() if name != "_stored"}
        return {**self.__dict__["_stored"], **own}
