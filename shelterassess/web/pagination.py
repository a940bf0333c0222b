"""Pages of a list: LIMIT/OFFSET and one COUNT in SQL, page numbers taken safely from ``?page=``.

``paginate(session, query, request.args)`` runs two statements whatever the size of the
table: ``SELECT count(*)`` over the filtered query, then the query with LIMIT/OFFSET. The
query must already be ordered on indexed columns ending in a unique one (e.g. facility code,
then id) so pages never overlap. A page number that is not a positive integer gives page 1;
one beyond the last page (however large) gives the last page, so nothing reaches the
database that it cannot hold. ``templates/_macros/pagination.html`` renders the links.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Mapping, TypeVar

from flask import current_app, request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shelterassess.web.params import MAX_INT

T = TypeVar("T")

#: Used when the application has no ``PAGE_SIZE`` setting.
DEFAULT_PAGE_SIZE = 50


def requested_page(args: Mapping[str, str], name: str = "page") -> int:
    """The page asked for in ``args``: 1 unless a positive integer (a huge one is capped, then clamped to the last page)."""
    value = (args.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()):  # "²" is a digit to str.isdigit but not to int()
        return 1
    return max(1, min(int(value[:20]), MAX_INT))


def page_size() -> int:
    size = current_app.config.get("PAGE_SIZE", DEFAULT_PAGE_SIZE)
    return size if isinstance(size, int) and size > 0 else DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int
    #: links shown around the current page (besides the first and the last)
    window: int = field(default=2, repr=False)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def numbers(self) -> list[int | None]:
        """Page numbers to link, ``None`` where some are left out (an ellipsis)."""
        shown = sorted({1, self.pages} | {n for n in range(self.number - self.window, self.number + self.window + 1)
                                          if 1 <= n <= self.pages})
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out

    def url(self, number: int) -> str:
        """This page's URL (same endpoint, path and filters) showing page ``number``."""
        args: dict[str, Any] = {k: v for k, v in request.args.lists() if k != "page"}
        args.update(request.view_args or {})
        if number > 1:
            args["page"] = number
        return url_for(request.endpoint, **args)


def bounded_number(number: int, total: int, size: int) -> int:
    return max(1, min(number, max(1, -(-total // size))))


def paginate(session: Session, query: Select, args: Mapping[str, str], size: int | None = None,
             scalars: bool = True) -> Page:
    """The requested page of ``query`` (ordered, filtered) with the total count; two statements."""
    size = size or page_size()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = bounded_number(requested_page(args), total, size)
    limited = query.limit(size).offset((number - 1) * size)
    items = list(session.scalars(limited)) if scalars else list(session.execute(limited))
    return Page(items=items, number=number, size=size, total=total)
