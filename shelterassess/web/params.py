"""Integers taken from URLs and query strings, bounded so that a database never sees one it
cannot hold. Ids are ``INTEGER`` columns (32 bits), and SQLAlchemy's psycopg dialect casts
each bound value to its column's type (``%(id)s::INTEGER``): PostgreSQL refused 2**31 with
"integer out of range", which was a 500.

* ``<int:…>`` in every route uses :class:`BoundedIntConverter` (registered app-wide by
  :func:`register_converters` before the blueprints): a larger number does not match the
  route, so the answer is a 404.
* ``request.args.get(name, type=bounded_int)`` ignores a larger number in a query
  string (the parameter counts as absent), like any other value that is not an integer.
"""
from __future__ import annotations

import builtins

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id or count accepted from a request (PostgreSQL ``integer``).
MAX_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, refusing numbers above :data:`MAX_INT` (and below its negative)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        upper = MAX_INT if max is None else builtins.min(max, MAX_INT)
        lower = -MAX_INT if min is None else builtins.max(min, -MAX_INT)
        super().__init__(map, fixed_digits=fixed_digits, min=lower, max=upper, signed=signed)


def bounded_int(value: str) -> int:
    """``int(value)`` for ``request.args.get(type=…)``; ValueError (so: ignored) beyond :data:`MAX_INT`."""
    number = int(value)
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError(value)
    return number


def register_converters(app: Flask) -> None:
    """Call before any blueprint is registered: a rule picks its converter when it is added."""
    app.url_map.converters["int"] = BoundedIntConverter


def int_or_none(value: str | None) -> int | None:
    """A non-negative integer written in ``value`` (ASCII digits only, at most :data:`MAX_INT`), else None.
    ``str.isdigit`` alone is not enough: it is true for "²", which ``int`` refuses (a 500); so does
    ``int`` for more than 4300 digits (``sys.get_int_max_str_digits``), hence the length check first."""
    if not value or len(value) > len(str(MAX_INT)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_INT else None
