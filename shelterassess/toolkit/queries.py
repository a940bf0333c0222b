"""Read queries for the visit toolkit and escalated concerns."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.scoresheets.models import Indicator, ScoreSheetVersion
from shelterassess.toolkit import content, domain
from shelterassess.toolkit.domain import Checklist
from shelterassess.toolkit.models import Escalation, EscalationStatus

SHEET_DATA_DIR = Path(__file__).resolve().parent.parent / "scoresheets" / "data"


# -- the score sheet's checklist ---------------------------------------------------------

@lru_cache(maxsize=8)
def _sheet_file(path: str, mtime: float) -> dict[str, Any]:
    return content.load_yaml(path) or {}


def sheet_data(sheet: ScoreSheetVersion, data_dir: Path = SHEET_DATA_DIR) -> dict[str, Any] | None:
    """The shipped data file of ``sheet`` (``<key>_v<version>.yaml``), when it is the same sheet."""
    path = data_dir / f"{sheet.key}_v{sheet.version}.yaml"
    if not path.is_file():
        return None
    data = _sheet_file(str(path), os.path.getmtime(path))
    if data.get("key") != sheet.key or data.get("version") != sheet.version:
        return None
    return data


def raw_checklists(data: dict[str, Any] | None) -> dict[str, Any]:
    """Indicator key -> its ``checklist`` entry in a sheet data file."""
    if not data:
        return {}
    return {ind["key"]: ind["checklist"] for area in data.get("areas", [])
            for ind in area.get("indicators", []) if ind.get("key") and ind.get("checklist")}


@dataclass(frozen=True)
class IndicatorChecklist:
    indicator: Indicator
    checklist: Checklist


@dataclass(frozen=True)
class AreaChecklist:
    area: Any
    indicators: list[IndicatorChecklist]


def checklists(sheet: ScoreSheetVersion, data_dir: Path = SHEET_DATA_DIR) -> list[AreaChecklist]:
    """Every indicator of ``sheet`` with its checklist: the sheet data's own where it has one,
    else the generic one derived from the indicator's evidence sources (marked generic)."""
    raw = raw_checklists(sheet_data(sheet, data_dir))
    by_source = content.document("checklist")["by_source"]
    result = []
    for area in sheet.areas:
        rows = []
        for indicator in area.indicators:
            specific = domain.normalize_checklist(raw.get(indicator.key)) if indicator.key in raw else None
            rows.append(IndicatorChecklist(
                indicator, specific or domain.generic_checklist(indicator.evidence_list, by_source)))
        result.append(AreaChecklist(area, rows))
    return result


def is_generic(areas: list[AreaChecklist]) -> bool:
    """True when no indicator has a checklist of its own (a v1 sheet)."""
    return all(row.checklist.generic for area in areas for row in area.indicators)


def documents_to_request(areas: list[AreaChecklist], language: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The pre-visit document list by area, each document with the indicator codes that need it;
    for a sheet without checklists (v1) the generic list, as one group without codes."""
    rows = [(f"{a.area.code}. {a.area.title_vi if language == 'vi' else a.area.title_en}", row.indicator.code,
             row.checklist) for a in areas for row in a.indicators if not row.checklist.generic]
    if rows:
        return domain.documents_to_request(rows, language)
    generic = content.document("checklist")["pre_visit"]["generic"]
    return [("", [(text.get(language) or text["en"], []) for text in generic])]


# -- visits ----------------------------------------------------------------------------------

def _current_assignments():
    return (
        select(TeamAssignment)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .join(Round, PeerTeam.round_id == Round.id)
        .join(Facility, TeamAssignment.facility_id == Facility.id)
        .where(Round.status != RoundStatus.CLOSED.value, TeamAssignment.withdrawn_at.is_(None))
        .order_by(TeamAssignment.planned_visit_on.is_(None), TeamAssignment.planned_visit_on, Facility.code,
                  PeerTeam.name)
    )


def visits_for(session: Session, user: User) -> list[TeamAssignment]:
    """The visits of ``user``'s teams in rounds not closed (assignments not withdrawn)."""
    member_teams = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    return list(session.scalars(_current_assignments().where(PeerTeam.id.in_(member_teams))))


#: The national team's toolkit page lists at most this many visits (soonest first); every
#: visit pack stays reachable from the team pages.
NATIONAL_VISITS_SHOWN = 100


def all_visits(session: Session, limit: int = NATIONAL_VISITS_SHOWN) -> list[TeamAssignment]:
    """The visits of the rounds not closed, soonest first (for the national team)."""
    return list(session.scalars(_current_assignments().limit(limit)))


def user_teams(session: Session, user: User) -> list[PeerTeam]:
    return list(session.scalars(
        select(PeerTeam).join(TeamMember, TeamMember.team_id == PeerTeam.id).where(TeamMember.user_id == user.id)
    ))


def visited_facilities(session: Session, user: User) -> list[tuple[Facility, PeerTeam]]:
    """(facility, team) for every facility one of ``user``'s teams is or was sent to: peer
    assignments (also withdrawn ones, and in closed rounds: a concern may surface late) and
    follow-up visits. One row per facility, the most recent team first."""
    from shelterassess.followups.models import FollowUpVisit
    from shelterassess.plans.models import ImprovementPlan

    member_teams = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    assigned = session.execute(
        select(Facility, PeerTeam, TeamAssignment.created_at)
        .join(TeamAssignment, TeamAssignment.facility_id == Facility.id)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .where(PeerTeam.id.in_(member_teams))
    ).all()
    followed = session.execute(
        select(Facility, PeerTeam, FollowUpVisit.created_at)
        .join(ImprovementPlan, ImprovementPlan.facility_id == Facility.id)
        .join(FollowUpVisit, FollowUpVisit.plan_id == ImprovementPlan.id)
        .join(PeerTeam, FollowUpVisit.team_id == PeerTeam.id)
        .where(PeerTeam.id.in_(member_teams))
    ).all()
    latest: dict[int, tuple[Facility, PeerTeam, tuple[float, int]]] = {}
    for facility, team, at in [*assigned, *followed]:
        rank = (at.timestamp() if at else 0.0, team.id)
        known = latest.get(facility.id)
        if known is None or rank > known[2]:
            latest[facility.id] = (facility, team, rank)
    return [(f, t) for f, t, _ in sorted(latest.values(), key=lambda row: row[0].code)]


def active_facilities(session: Session) -> list[Facility]:
    return list(session.scalars(select(Facility).where(Facility.active.is_(True)).order_by(Facility.code)))


# -- escalations -------------------------------------------------------------------------------

_STATUS_ORDER = case(
    (Escalation.status == EscalationStatus.OPEN.value, 0),
    (Escalation.status == EscalationStatus.ACKNOWLEDGED.value, 1),
    else_=2,
)


def escalations(session: Session, recorded_by: User | None = None, status: str | None = None) -> list[Escalation]:
    """Open first, then acknowledged, then closed; oldest first among those still open (they have
    waited longest), newest first among the closed. ``recorded_by``: only that person's."""
    query = select(Escalation).order_by(_STATUS_ORDER, Escalation.created_at, Escalation.id)
    if recorded_by is not None:
        query = query.where(Escalation.recorded_by_id == recorded_by.id)
    if status is not None:
        query = query.where(Escalation.status == status)
    rows = list(session.scalars(query))
    closed = [e for e in rows if e.is_closed]
    return [e for e in rows if not e.is_closed] + closed[::-1]


def escalation_counts(session: Session) -> dict[str, int]:
    """Status -> number of escalations (every status present, zero included)."""
    counts = dict(session.execute(select(Escalation.status, func.count()).group_by(Escalation.status)).all())
    return {s.value: counts.get(s.value, 0) for s in EscalationStatus}


def escalations_needing_action(session: Session, limit: int = 5) -> list[Escalation]:
    """The escalations not closed, oldest first (for the national team's dashboard)."""
    return list(session.scalars(
        select(Escalation).where(Escalation.status != EscalationStatus.CLOSED.value)
        .order_by(_STATUS_ORDER, Escalation.created_at, Escalation.id).limit(limit)
    ))
