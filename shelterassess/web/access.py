"""Helpers views use to apply the permission predicates and load objects."""
from __future__ import annotations

from typing import TypeVar

from flask import abort

from shelterassess.extensions import db

T = TypeVar("T")


def require(allowed: bool) -> None:
    """Abort with 403 unless the predicate allowed the action."""
    if not allowed:
        abort(403)


def get_or_404(model: type[T], ident: int) -> T:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def visible_or_404(obj: T | None, allowed: bool) -> T:
    """404 when the object does not exist *or* the user may not see it (no existence leak)."""
    if obj is None or not allowed:
        abort(404)
    return obj
