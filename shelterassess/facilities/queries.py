"""Read queries for facilities and provinces."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from shelterassess.facilities.models import Facility, FacilityType, Province
from shelterassess.web.params import bounded_int

ACTIVE_FILTERS = ("all", "active", "inactive")


@dataclass(frozen=True)
class FacilityFilter:
    province_id: int | None = None
    type: str | None = None
    active: str = "all"
    text: str = ""

    @classmethod
    def from_args(cls, args) -> "FacilityFilter":
        """Read the list filters from query-string arguments, dropping unknown values."""
        type_ = args.get("type")
        active = args.get("active")
        return cls(
            province_id=args.get("province", type=bounded_int),
            type=type_ if type_ in {t.value for t in FacilityType} else None,
            active=active if active in ACTIVE_FILTERS else "all",
            text=(args.get("q") or "").strip()[:100],
        )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def facilities_query(filters: FacilityFilter = FacilityFilter()) -> Select:
    """The filtered facilities, ordered by code then id (both indexed), for a page or the whole list."""
    query = select(Facility).order_by(Facility.code, Facility.id)
    if filters.province_id:
        query = query.where(Facility.province_id == filters.province_id)
    if filters.type:
        query = query.where(Facility.type == filters.type)
    if filters.active != "all":
        query = query.where(Facility.active.is_(filters.active == "active"))
    if filters.text:
        pattern = _like_pattern(filters.text)
        query = query.where(or_(Facility.code.ilike(pattern, escape="\\"), Facility.name.ilike(pattern, escape="\\")))
    return query


def list_facilities(session: Session, filters: FacilityFilter = FacilityFilter()) -> list[Facility]:
    return list(session.scalars(facilities_query(filters)))


def all_provinces(session: Session) -> list[Province]:
    return list(session.scalars(select(Province).order_by(Province.code)))
