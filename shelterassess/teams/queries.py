"""Read queries for peer teams, assignments and visits. Who is certified comes from
:mod:`shelterassess.assessors.queries`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.assessors.queries import certified_user_ids
from shelterassess.auth.models import User
from shelterassess.facilities.models import Facility, FacilityType
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.rounds.queries import all_rounds
from shelterassess.teams.domain import OtherTeam, PastTeam, Person, RoundContext, TeamPlan
from shelterassess.web.section_pages import SectionPage, paginate_section


# -- teams -----------------------------------------------------------------------

def teams_of_round(session: Session, round_id: int) -> list[PeerTeam]:
    return list(session.scalars(teams_of_round_query(round_id)))


def teams_of_round_query(round_id: int) -> Select:
    """The round's teams by name (unique in a round), then id: the teams list pages through it."""
    return select(PeerTeam).where(PeerTeam.round_id == round_id).order_by(PeerTeam.name, PeerTeam.id)


def team_name_taken(session: Session, round_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(PeerTeam.id).where(PeerTeam.round_id == round_id, PeerTeam.name == name)
    if except_id is not None:
        query = query.where(PeerTeam.id != except_id)
    return session.scalar(query) is not None


def teams_for_user(session: Session, user: User) -> list[PeerTeam]:
    """The teams ``user`` is a member of, newest round first."""
    return list(session.scalars(
        select(PeerTeam)
        .join(TeamMember, TeamMember.team_id == PeerTeam.id)
        .join(Round, PeerTeam.round_id == Round.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Round.created_at.desc(), Round.id.desc(), PeerTeam.name)
    ))


def user_has_teams(session: Session, user_id: int) -> bool:
    return session.scalar(select(TeamMember.id).where(TeamMember.user_id == user_id).limit(1)) is not None


def assignments_for_facility(session: Session, facility_id: int, round_id: int) -> list[TeamAssignment]:
    """The teams assigned to assess a facility in a round (at most two)."""
    return list(session.scalars(
        select(TeamAssignment)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .where(TeamAssignment.facility_id == facility_id, PeerTeam.round_id == round_id)
        .order_by(PeerTeam.name)
    ))


def peer_assessments(session: Session, team_ids: Iterable[int]) -> dict[tuple[int, int], Assessment]:
    """(team id, facility id) -> the team's peer assessment of that facility."""
    ids = list(set(team_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(Assessment).where(Assessment.kind == AssessmentKind.PEER.value, Assessment.team_id.in_(ids))
        .order_by(Assessment.created_at)
    )
    return {(a.team_id, a.facility_id): a for a in rows}


def has_peer_assessment(session: Session, team_id: int, facility_id: int | None = None) -> bool:
    query = select(Assessment.id).where(Assessment.kind == AssessmentKind.PEER.value, Assessment.team_id == team_id)
    if facility_id is not None:
        query = query.where(Assessment.facility_id == facility_id)
    return session.scalar(query.limit(1)) is not None


def has_finalised_result(session: Session, facility_id: int, round_id: int) -> bool:
    """The facility's agreed result of the round is finalised."""
    return session.scalar(select(Assessment.id).where(
        Assessment.facility_id == facility_id, Assessment.round_id == round_id,
        Assessment.kind == AssessmentKind.AGREED.value, Assessment.status == AssessmentStatus.SUBMITTED.value,
    ).limit(1)) is not None


def previous_round(session: Session, round_: Round) -> Round | None:
    """The most recent other round created before this one."""
    rounds = all_rounds(session)  # newest first
    ids = [r.id for r in rounds]
    index = ids.index(round_.id) if round_.id in ids else -1
    return rounds[index + 1] if 0 <= index < len(rounds) - 1 else None


def active_facilities(session: Session) -> list[Facility]:
    return list(session.scalars(select(Facility).where(Facility.active.is_(True)).order_by(Facility.code)))


# -- what the domain rules need ----------------------------------------------------

def person(user: User, certified: bool) -> Person:
    facility = user.facility
    return Person(
        id=user.id, name=user.display_name, facility_id=user.facility_id,
        facility_code=facility.code if facility else "", certified=certified,
        reception_centre=bool(facility and facility.type == FacilityType.RECEPTION_CENTRE.value),
    )


def team_plan(session: Session, name: str, members: Iterable[User], lead_id: int | None,
              facility_ids: Iterable[int] = (), team_id: int | None = None) -> TeamPlan:
    members = list(members)
    certified = certified_user_ids(session, [u.id for u in members])
    return TeamPlan(name=name, members=tuple(person(u, u.id in certified) for u in members), lead_id=lead_id,
                    facility_ids=frozenset(facility_ids), id=team_id)


def plan_of(session: Session, team: PeerTeam) -> TeamPlan:
    return team_plan(session, team.name, [m.user for m in team.members], team.lead_id,
                     [a.facility_id for a in team.assignments], team.id)


def plans_of(session: Session, teams: Iterable[PeerTeam]) -> dict[int, TeamPlan]:
    """Team id -> its plan, as :func:`plan_of`, with who is certified read once for all the teams."""
    teams = list(teams)
    certified = certified_user_ids(session, [m.user_id for t in teams for m in t.members])
    return {t.id: TeamPlan(name=t.name, members=tuple(person(m.user, m.user_id in certified) for m in t.members),
                           lead_id=t.lead_id, facility_ids=frozenset(a.facility_id for a in t.assignments), id=t.id)
            for t in teams}


def round_context(session: Session, round_: Round, exclude_team_id: int | None = None) -> RoundContext:
    """The other teams of the round, the teams of the previous round and every facility code."""
    others = tuple(
        OtherTeam(id=t.id, name=t.name, member_facility_ids=_member_facilities(t),
                  facility_ids=frozenset(a.facility_id for a in t.assignments if not a.is_withdrawn))
        for t in teams_of_round(session, round_.id) if t.id != exclude_team_id
    )
    before = previous_round(session, round_)
    previous = tuple(
        PastTeam(round_name=before.name, member_ids=frozenset(t.member_ids),
                 facility_ids=frozenset(a.facility_id for a in t.assignments if not a.is_withdrawn))
        for t in teams_of_round(session, before.id)
    ) if before else ()
    codes = {fid: code for fid, code in session.execute(select(Facility.id, Facility.code))}
    return RoundContext(others=others, previous=previous, facility_codes=codes)


def _member_facilities(team: PeerTeam) -> frozenset[int]:
    return frozenset(m.user.facility_id for m in team.members if m.user.facility_id is not None)


# -- visits ----------------------------------------------------------------------

@dataclass(frozen=True)
class Visit:
    assignment: TeamAssignment
    assessment: Assessment | None  # the team's peer assessment of the facility, if started

    @property
    def team(self) -> PeerTeam:
        return self.assignment.team

    @property
    def is_submitted(self) -> bool:
        return self.assessment is not None and self.assessment.is_submitted


@dataclass(frozen=True)
class VisitSchedulePages:
    """The visits of rounds not closed, one page of each list (``upcoming_page``, …)."""
    upcoming: SectionPage  # planned today or later, soonest first
    overdue: SectionPage  # planned date passed and the peer assessment not submitted
    unscheduled: SectionPage  # no date yet


def visit_schedule_pages(session: Session, today: dt.date, args: Mapping[str, str],
                         user: User | None = None) -> VisitSchedulePages:
    """Visits of rounds not closed (only those of ``user``'s teams when a user is given), split
    and paged in SQL: two statements per list, one for the peer assessments of the rows shown,
    whatever the number of visits."""
    query = (
        select(TeamAssignment)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .join(Round, PeerTeam.round_id == Round.id)
        .join(Facility, TeamAssignment.facility_id == Facility.id)
        .where(Round.status != RoundStatus.CLOSED.value, TeamAssignment.withdrawn_at.is_(None))
        .options(contains_eager(TeamAssignment.team))
        .order_by(TeamAssignment.planned_visit_on, Facility.code, PeerTeam.name, TeamAssignment.id)
    )
    if user is not None:
        query = query.where(PeerTeam.id.in_(select(TeamMember.team_id).where(TeamMember.user_id == user.id)))
    submitted = select(Assessment.id).where(
        Assessment.kind == AssessmentKind.PEER.value, Assessment.team_id == TeamAssignment.team_id,
        Assessment.facility_id == TeamAssignment.facility_id, Assessment.status == AssessmentStatus.SUBMITTED.value)
    planned = TeamAssignment.planned_visit_on
    pages = {
        "upcoming": paginate_section(session, query.where(planned >= today), args, "upcoming_page"),
        "overdue": paginate_section(session, query.where(planned < today, ~submitted.exists()), args, "overdue_page"),
        "unscheduled": paginate_section(session, query.where(planned.is_(None)), args, "unscheduled_page"),
    }
    found = peer_assessments(session, [a.team_id for p in pages.values() for a in p.items])
    return VisitSchedulePages(**{name: replace(p, items=[Visit(a, found.get((a.team_id, a.facility_id)))
                                                          for a in p.items]) for name, p in pages.items()})
