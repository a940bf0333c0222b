"""Read queries for peer scoring and reconciliation.

A peer assessment is an :class:`Assessment` of kind ``peer`` with ``team_id`` set
(one per team, facility and round); the agreed assessment is of kind ``agreed``
(one per facility and round) and, once submitted, is the facility's official result.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from shelterassess.assessments import queries
from shelterassess.assessments.domain import Answer
from shelterassess.assessments.models import Assessment, AssessmentKind, Score
from shelterassess.assessments.reconciliation import (
    AgreedEntry,
    IndicatorRatings,
    entry_needs_reason,
    needs_reason,
    prefill,
    signed_difference,
)
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.scoresheets.models import Indicator


# -- finding assessments -----------------------------------------------------------

def find_peer(session: Session, team_id: int, facility_id: int, round_id: int) -> Assessment | None:
    return session.scalar(
        select(Assessment)
        .where(Assessment.kind == AssessmentKind.PEER.value, Assessment.team_id == team_id,
               Assessment.facility_id == facility_id, Assessment.round_id == round_id)
        .order_by(Assessment.id)
        .limit(1)
    )


def peers_for(session: Session, facility_id: int, round_id: int, submitted_only: bool = False,
              include_withdrawn: bool = False) -> list[Assessment]:
    """The peer assessments of a facility in a round, by team name. Those of withdrawn
    assignments are left out unless asked for: they are never part of the result."""
    query = (
        select(Assessment)
        .join(PeerTeam, Assessment.team_id == PeerTeam.id)
        .join(TeamAssignment, (TeamAssignment.team_id == PeerTeam.id)
              & (TeamAssignment.facility_id == Assessment.facility_id))
        .where(Assessment.kind == AssessmentKind.PEER.value, Assessment.facility_id == facility_id,
               Assessment.round_id == round_id)
        .order_by(PeerTeam.name, Assessment.id)
    )
    if not include_withdrawn:
        query = query.where(TeamAssignment.withdrawn_at.is_(None))
    peers = list(session.scalars(query))
    return [p for p in peers if p.is_submitted] if submitted_only else peers


def find_agreed(session: Session, facility_id: int, round_id: int) -> Assessment | None:
    return session.scalar(
        select(Assessment)
        .where(Assessment.kind == AssessmentKind.AGREED.value, Assessment.facility_id == facility_id,
               Assessment.round_id == round_id)
        .order_by(Assessment.id)
        .limit(1)
    )


def official_result(session: Session, facility_id: int, round_id: int) -> Assessment | None:
    """The facility's official result for the round: the finalised agreed assessment."""
    agreed = find_agreed(session, facility_id, round_id)
    return agreed if agreed is not None and agreed.is_submitted else None


def round_assessments(session: Session, round_id: int, kinds: tuple[AssessmentKind, ...]) -> list[Assessment]:
    return list(session.scalars(
        select(Assessment)
        .where(Assessment.round_id == round_id, Assessment.kind.in_([k.value for k in kinds]))
        .order_by(Assessment.id)
    ))


# -- teams and assignments -----------------------------------------------------------

def assigned_teams(session: Session, facility_id: int, round_id: int) -> list[PeerTeam]:
    """Teams assigned to the facility in the round, withdrawn assignments left out."""
    return list(session.scalars(
        select(PeerTeam)
        .join(TeamAssignment, TeamAssignment.team_id == PeerTeam.id)
        .where(TeamAssignment.facility_id == facility_id, PeerTeam.round_id == round_id,
               TeamAssignment.withdrawn_at.is_(None))
        .order_by(PeerTeam.name)
    ))


def withdrawn_assignments(session: Session, facility_id: int, round_id: int) -> list[TeamAssignment]:
    return list(session.scalars(
        select(TeamAssignment)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .where(TeamAssignment.facility_id == facility_id, PeerTeam.round_id == round_id,
               TeamAssignment.withdrawn_at.is_not(None))
        .order_by(PeerTeam.name)
    ))


def user_teams_for(session: Session, user_id: int, facility_id: int, round_id: int) -> list[PeerTeam]:
    """The user's teams assigned to the facility in the round (usually none or one)."""
    return [t for t in assigned_teams(session, facility_id, round_id) if user_id in t.member_ids]


def own_peer(session: Session, user_id: int, facility_id: int, round_id: int) -> Assessment | None:
    """The peer assessment of the user's own team for this facility and round, if started.

    When the user sits on two teams assigned to the same facility (which the team rules
    should prevent), a submitted one is preferred.
    """
    found = [p for t in user_teams_for(session, user_id, facility_id, round_id)
             if (p := find_peer(session, t.id, facility_id, round_id)) is not None]
    return next((p for p in found if p.is_submitted), found[0] if found else None)


def led_team(session: Session, user_id: int, facility_id: int, round_id: int) -> PeerTeam | None:
    """The team the user leads among those assigned to the facility in the round."""
    return next((t for t in assigned_teams(session, facility_id, round_id) if t.lead_id == user_id), None)


@dataclass(frozen=True)
class AssignmentRow:
    assignment: TeamAssignment
    team: PeerTeam
    round: Round
    facility: Facility
    peer: Assessment | None
    self_submitted: bool
    agreed: Assessment | None


def user_assignments(session: Session, user_id: int) -> list[AssignmentRow]:
    """The assignments of the user's teams in open rounds."""
    return assignment_rows(session, list(session.scalars(user_assignments_query(user_id))))


def national_assignments(session: Session) -> list[AssignmentRow]:
    """Every assignment in rounds that are open or closed."""
    return assignment_rows(session, list(session.scalars(national_assignments_query())))


def _assignments() -> Select:
    """Assignments with their team (and the team's round) loaded in the same statement, in
    list order: round name, facility code, team name, then id (so pages never overlap)."""
    return (
        select(TeamAssignment)
        .join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
        .join(Round, PeerTeam.round_id == Round.id)
        .join(Facility, TeamAssignment.facility_id == Facility.id)
        .options(contains_eager(TeamAssignment.team))
        .order_by(Round.name, Facility.code, PeerTeam.name, TeamAssignment.id)
    )


def user_assignments_query(user_id: int) -> Select:
    """The assignments of the user's teams in open rounds (the peer list pages through it)."""
    mine = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    return _assignments().where(PeerTeam.id.in_(mine), Round.status == RoundStatus.OPEN.value)


def national_assignments_query() -> Select:
    """Every assignment in rounds that are open or closed (the peer list pages through it)."""
    return _assignments().where(Round.status != RoundStatus.PLANNED.value)


def assignment_rows(session: Session, assignments: list[TeamAssignment]) -> list[AssignmentRow]:
    """One row per assignment, in the given order; the related self, peer and agreed assessments in one query."""
    related = _related_assessments(session, assignments)
    rows = []
    for a in assignments:
        round_id = a.team.round_id
        self_ = related.get((AssessmentKind.SELF.value, round_id, a.facility_id, None))
        rows.append(AssignmentRow(
            assignment=a, team=a.team, round=a.team.round, facility=a.facility,
            peer=related.get((AssessmentKind.PEER.value, round_id, a.facility_id, a.team_id)),
            self_submitted=self_ is not None and self_.is_submitted,
            agreed=related.get((AssessmentKind.AGREED.value, round_id, a.facility_id, None)),
        ))
    return rows


def _related_assessments(session: Session, assignments: list[TeamAssignment]) -> dict[tuple, Assessment]:
    """(kind, round id, facility id, team id or None) -> assessment, for these assignments."""
    if not assignments:
        return {}
    found = session.scalars(select(Assessment).where(
        Assessment.round_id.in_({a.team.round_id for a in assignments}),
        Assessment.facility_id.in_({a.facility_id for a in assignments}),
        Assessment.kind.in_([k.value for k in (AssessmentKind.SELF, AssessmentKind.PEER, AssessmentKind.AGREED)]),
    ))
    return {(x.kind, x.round_id, x.facility_id, x.team_id if x.kind == AssessmentKind.PEER.value else None): x
            for x in found}


def released_rounds(session: Session) -> list[Round]:
    """Rounds that are open or closed, newest first (candidates for releasing results)."""
    return list(session.scalars(
        select(Round)
        .where(Round.status != RoundStatus.PLANNED.value)
        .order_by(Round.created_at.desc(), Round.id.desc())
    ))


# -- reconciliation table -------------------------------------------------------------

@dataclass(frozen=True)
class PeerCell:
    peer: Assessment
    answer: Answer
    difference: int | None  # self minus this peer


@dataclass(frozen=True)
class ReconciliationRow:
    indicator: Indicator
    ratings: IndicatorRatings
    self_score: Score
    peers: list[PeerCell]
    agreed_score: Score | None
    prefill: AgreedEntry
    gap_flag: bool  # the raters differ by 2 or more (or on N/A): a reason will be needed

    @property
    def current(self) -> AgreedEntry:
        """What the agreed field shows: the saved agreed score, else the prefill."""
        s = self.agreed_score
        if s is not None and s.is_answered:
            return AgreedEntry(s.value, s.not_applicable, s.note)
        return AgreedEntry(self.prefill.value, self.prefill.not_applicable, s.note if s is not None else "")

    @property
    def needs_reason_now(self) -> bool:
        return self.gap_flag or entry_needs_reason(self.ratings, self.current)


@dataclass(frozen=True)
class ReconciliationData:
    facility: Facility
    round: Round
    self_assessment: Assessment | None
    peers: list[Assessment]          # submitted peer assessments, by team name
    pending_teams: list[PeerTeam]    # assigned teams whose peer assessment is not submitted
    agreed: Assessment | None
    rows: list[ReconciliationRow] = field(default_factory=list)
    withdrawn: list[TeamAssignment] = field(default_factory=list)  # never part of the result

    @property
    def available(self) -> bool:
        """Reconciliation needs the submitted self-assessment and one submitted peer assessment."""
        return self.self_assessment is not None and self.self_assessment.is_submitted and bool(self.peers)

    def rows_by_area(self) -> list[tuple[object, list[ReconciliationRow]]]:
        areas: dict[int, tuple[object, list[ReconciliationRow]]] = {}
        for row in self.rows:
            areas.setdefault(row.indicator.area_id, (row.indicator.area, []))[1].append(row)
        return list(areas.values())


def _answer(score: Score) -> Answer:
    return Answer(score.value, score.not_applicable)


def reconciliation_data(session: Session, facility: Facility, round_: Round) -> ReconciliationData:
    """Self, each submitted peer and the agreed draft side by side, per indicator.

    The rows are only filled when reconciliation is available, so nothing of the
    self-assessment leaves this function before then.
    """
    self_ = queries.find_self_assessment(session, facility.id, round_.id)
    peers = peers_for(session, facility.id, round_.id, submitted_only=True)
    submitted_teams = {p.team_id for p in peers}
    pending = [t for t in assigned_teams(session, facility.id, round_.id) if t.id not in submitted_teams]
    agreed = find_agreed(session, facility.id, round_.id)
    data = ReconciliationData(facility, round_, self_, peers, pending, agreed,
                              withdrawn=withdrawn_assignments(session, facility.id, round_.id))
    if not data.available:
        return data
    self_scores = queries.scores_by_indicator(session, self_)
    peer_scores = [queries.scores_by_indicator(session, p) for p in peers]
    agreed_scores = queries.scores_by_indicator(session, agreed) if agreed is not None else {}
    for ind in round_.sheet.indicators:
        self_answer = _answer(self_scores[ind.id])
        peer_answers = tuple(_answer(s[ind.id]) for s in peer_scores)
        ratings = IndicatorRatings(str(ind.id), ind.code, ind.na_allowed, self_answer, peer_answers)
        data.rows.append(ReconciliationRow(
            indicator=ind, ratings=ratings, self_score=self_scores[ind.id],
            peers=[PeerCell(p, a, signed_difference(self_answer, a)) for p, a in zip(peers, peer_answers)],
            agreed_score=agreed_scores.get(ind.id), prefill=prefill(ratings),
            gap_flag=needs_reason(ratings.rater_answers),
        ))
    return data


# -- results after release -----------------------------------------------------------

@dataclass(frozen=True)
class ResultColumn:
    label_kind: str            # "self", "peer" or "agreed"
    assessment: Assessment
    team_name: str = ""


@dataclass(frozen=True)
class ResultIndicatorRow:
    indicator: Indicator
    cells: list[Score | None]  # one per column


@dataclass(frozen=True)
class ResultAreaRow:
    area: object
    percentages: list[float | None]  # one per column
    indicators: list[ResultIndicatorRow]


@dataclass(frozen=True)
class PeerResults:
    facility: Facility
    round: Round
    columns: list[ResultColumn]
    areas: list[ResultAreaRow]
    agreed_pending: bool  # an agreed assessment is being reconciled but not finalised
    agreed: Assessment | None = None  # the finalised agreed result, if any


def peer_results(session: Session, facility: Facility, round_: Round) -> PeerResults:
    """Submitted self, submitted peers and the finalised agreed assessment, per area and indicator."""
    columns: list[ResultColumn] = []
    self_ = queries.find_self_assessment(session, facility.id, round_.id)
    if self_ is not None and self_.is_submitted:
        columns.append(ResultColumn("self", self_))
    for p in peers_for(session, facility.id, round_.id, submitted_only=True):
        columns.append(ResultColumn("peer", p, p.team.name if p.team else ""))
    agreed = find_agreed(session, facility.id, round_.id)
    if agreed is not None and agreed.is_submitted:
        columns.append(ResultColumn("agreed", agreed))
    scores = [queries.scores_by_indicator(session, c.assessment) for c in columns]
    stored = [{r.area_id: r.percentage for r in c.assessment.area_results} for c in columns]
    areas = []
    for area in round_.sheet.areas:
        rows = [ResultIndicatorRow(ind, [s.get(ind.id) for s in scores]) for ind in area.indicators]
        areas.append(ResultAreaRow(area, [st.get(area.id) for st in stored], rows))
    return PeerResults(facility, round_, columns, areas,
                       agreed_pending=agreed is not None and not agreed.is_submitted,
                       agreed=agreed if agreed is not None and agreed.is_submitted else None)

