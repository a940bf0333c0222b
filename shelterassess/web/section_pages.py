"""Several paginated lists on one page, each with its own page parameter.

A page such as the planned visits shows upcoming, past-due and unscheduled visits one under the
other; each list pages on its own (``?upcoming_page=2``) with
:func:`shelterassess.web.pagination.paginate`'s two statements (COUNT, then LIMIT/OFFSET), and
the links of one list keep the page numbers of the others. ``templates/_macros/pagination.html``
renders a :class:`SectionPage` like any page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask import request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import Session

from shelterassess.web.pagination import Page, paginate


@dataclass(frozen=True)
class SectionPage(Page):
    #: the query parameter holding this list's page number
    param: str = "page"
    #: query parameters the list's links leave out (e.g. ``action``, which picks a page itself)
    drop: tuple[str, ...] = ()

    def url(self, number: int) -> str:
        """This page's URL (same endpoint, filters and other lists' pages) showing page ``number`` of this list."""
        args: dict[str, Any] = {k: v for k, v in request.args.lists() if k != self.param and k not in self.drop}
        args.update(request.view_args or {})
        if number > 1:
            args[self.param] = number
        return url_for(request.endpoint, **args, _anchor=self.param.removesuffix("_page"))


def paginate_section(session: Session, query: Select, args: Mapping[str, str], param: str,
                     size: int | None = None, scalars: bool = True, drop: tuple[str, ...] = ()) -> SectionPage:
    """The page of ``query`` named by ``args[param]`` (two statements, as :func:`paginate`)."""
    page = paginate(session, query, {"page": args.get(param, "")}, size, scalars=scalars)
    return SectionPage(items=page.items, number=page.number, size=page.size, total=page.total, param=param,
                       drop=drop)
