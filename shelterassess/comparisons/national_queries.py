"""SQL of the national table of a round: filtered, sorted and paged in the database.

Rows are the round's facilities (active ones plus any assessed in the round), each with its
submitted agreed assessment if there is one (at most one: ``uq_assessment_self_agreed``).
Figures come from what submission stored: ``assessment.overall_percentage`` and the
``area_result`` rows; means are SQL ``AVG``/``COUNT`` per area; red flags are the agreed
result's scores of critical indicators at or below their red-flag level; agreement is read as
``GROUP BY indicator, self value, peer value`` counts. No statement loads a row per facility
into Python unless the caller asks for every row (PDF, workshop pack, exports), and even then
only plain columns.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from shelterassess.assessments.models import AreaResult, Assessment, AssessmentKind, AssessmentStatus, Score
from shelterassess.comparisons.domain import Score as ScoreValue
from shelterassess.facilities.models import Facility, Province
from shelterassess.peer.models import TeamAssignment
from shelterassess.scoresheets.models import Indicator

SUBMITTED = AssessmentStatus.SUBMITTED.value
AGREED = aliased(Assessment, name="agreed")
#: Counts of (self value, peer value) pairs of one indicator; N/A is ``None``.
PairCounts = dict[tuple[ScoreValue, ScoreValue], int]


@dataclass(frozen=True)
class TableFilter:
    """Which facilities of the round the table covers: all, or those of some provinces."""

    round_id: int
    #: ``None``: every province; otherwise these provinces only (may be empty: no row)
    province_ids: tuple[int, ...] | None = None

    def where(self) -> ColumnElement[bool]:
        assessed = select(Assessment.facility_id).where(Assessment.round_id == self.round_id)
        in_round = or_(Facility.active.is_(True), Facility.id.in_(assessed))
        if self.province_ids is None:
            return in_round
        return and_(in_round, Facility.province_id.in_(self.province_ids))

    def agreed_on(self):
        """Join condition of a facility and its submitted agreed assessment of the round."""
        return and_(AGREED.facility_id == Facility.id, AGREED.round_id == self.round_id,
                    AGREED.kind == AssessmentKind.AGREED.value, AGREED.status == SUBMITTED)

    def agreed_ids(self) -> Select:
        """``SELECT`` of the ids of the matching facilities' agreed assessments (for ``IN``)."""
        return select(AGREED.id).join(Facility, self.agreed_on()).where(self.where())


def province_stats(session: Session, round_id: int):
    """Rows (id, name_vi, name_en, with_result) of each province that has a facility in the
    round; ``with_result`` counts its facilities with an agreed result (for anonymity)."""
    table = TableFilter(round_id)
    return list(session.execute(
        select(Province.id, Province.name_vi, Province.name_en, func.count(AGREED.id).label("with_result"))
        .select_from(Facility).join(Province, Facility.province_id == Province.id)
        .outerjoin(AGREED, table.agreed_on())
        .where(table.where())
        .group_by(Province.id, Province.name_vi, Province.name_en)
    ))


def facility_ids(session: Session, round_id: int) -> list[int]:
    """Ids of every facility of the round (anonymous codes are drawn over all of them)."""
    return list(session.scalars(select(Facility.id).where(TableFilter(round_id).where())))


def _flag_condition() -> ColumnElement[bool]:
    return and_(Indicator.critical.is_(True), Score.value.is_not(None), Score.value <= Indicator.red_flag_at)


def province_name(language: str) -> ColumnElement[str]:
    """The province's name in ``language``, the other language when empty (as :func:`localized`)."""
    first, second = (Province.name_vi, Province.name_en) if language == "vi" else (Province.name_en, Province.name_vi)
    return func.coalesce(func.nullif(first, ""), second)


def table_select(table: TableFilter, sort: str, descending: bool, language: str,
                 area_id: int | None = None) -> Select:
    """One row per facility: id, code, name, province_id, agreed_id, overall, sort_value;
    ordered by ``sort_value`` (empty values last whatever the direction), then code, then id.

    ``sort``: "facility", "province", "overall", "red-flags" or "area" (with ``area_id``).
    """
    query = (select(Facility.id, Facility.code, Facility.name, Facility.province_id,
                    AGREED.id.label("agreed_id"), AGREED.overall_percentage.label("overall"))
             .select_from(Facility).outerjoin(AGREED, table.agreed_on()).where(table.where()))
    if sort == "province":
        query = query.join(Province, Facility.province_id == Province.id)
        value = province_name(language)
    elif sort == "overall":
        value = AGREED.overall_percentage
    elif sort == "red-flags":
        flags = (select(Score.assessment_id, func.count().label("n"))
                 .join(Indicator, Score.indicator_id == Indicator.id)
                 .where(Score.assessment_id.in_(table.agreed_ids()), _flag_condition())
                 .group_by(Score.assessment_id).subquery())
        query = query.outerjoin(flags, flags.c.assessment_id == AGREED.id)
        value = case((AGREED.id.is_(None), null()), else_=func.coalesce(flags.c.n, 0))
    elif sort == "area" and area_id is not None:
        result = aliased(AreaResult, name="sorted_area")
        query = query.outerjoin(result, and_(result.assessment_id == AGREED.id, result.area_id == area_id))
        value = result.percentage
    else:
        value = Facility.code
    query = query.add_columns(value.label("sort_value"))
    return query.order_by(value.is_(None), value.desc() if descending else value.asc(), Facility.code, Facility.id)


def area_percentages(session: Session, agreed_ids) -> dict[int, dict[int, float | None]]:
    """agreed assessment id -> {area id: stored percentage}; ``agreed_ids`` a list or a ``SELECT``."""
    out: dict[int, dict[int, float | None]] = defaultdict(dict)
    if isinstance(agreed_ids, list) and not agreed_ids:
        return out
    for assessment_id, area_id, percentage in session.execute(
            select(AreaResult.assessment_id, AreaResult.area_id, AreaResult.percentage)
            .where(AreaResult.assessment_id.in_(agreed_ids))):
        out[assessment_id][area_id] = percentage
    return out


def red_flag_keys(session: Session, agreed_ids) -> dict[int, set[str]]:
    """agreed assessment id -> keys of its critical indicators scored at or below their red-flag level."""
    out: dict[int, set[str]] = defaultdict(set)
    if isinstance(agreed_ids, list) and not agreed_ids:
        return out
    for assessment_id, key in session.execute(
            select(Score.assessment_id, Indicator.key).join(Indicator, Score.indicator_id == Indicator.id)
            .where(Score.assessment_id.in_(agreed_ids), _flag_condition())):
        out[assessment_id].add(key)
    return out


def area_means(session: Session, table: TableFilter) -> dict[int, tuple[float | None, int]]:
    """area id -> (mean of the stored agreed percentages, how many there are), over the table's facilities."""
    rows = session.execute(
        select(AreaResult.area_id, func.avg(AreaResult.percentage), func.count(AreaResult.percentage))
        .where(AreaResult.assessment_id.in_(table.agreed_ids()))
        .group_by(AreaResult.area_id))
    return {area_id: (None if mean is None else float(mean), count) for area_id, mean, count in rows}


def agreement_counts(session: Session, table: TableFilter, indicator_ids: list[int]) -> dict[str, PairCounts]:
    """indicator key -> {(self value, peer value): number of pairs}.

    The (self, peer) pairs counted in SQL (tests check them against pairs built one by one): each
    submitted peer assessment (of a team whose assignment is not withdrawn) of a facility with a
    submitted self-assessment, on each indicator that either of the two scored.
    """
    if not indicator_ids:
        return {}
    own, peer = aliased(Assessment, name="own"), aliased(Assessment, name="peer")
    own_score, peer_score = aliased(Score, name="own_score"), aliased(Score, name="peer_score")
    rows = session.execute(
        select(Indicator.key, own_score.value, peer_score.value, func.count())
        .select_from(own)
        .join(Facility, own.facility_id == Facility.id)
        .join(peer, and_(peer.facility_id == own.facility_id, peer.round_id == own.round_id,
                         peer.kind == AssessmentKind.PEER.value, peer.status == SUBMITTED))
        .outerjoin(TeamAssignment, and_(TeamAssignment.team_id == peer.team_id,
                                        TeamAssignment.facility_id == peer.facility_id))
        .join(Indicator, Indicator.id.in_(indicator_ids))
        .outerjoin(own_score, and_(own_score.assessment_id == own.id, own_score.indicator_id == Indicator.id))
        .outerjoin(peer_score, and_(peer_score.assessment_id == peer.id, peer_score.indicator_id == Indicator.id))
        .where(own.round_id == table.round_id, own.kind == AssessmentKind.SELF.value, own.status == SUBMITTED,
               TeamAssignment.withdrawn_at.is_(None), or_(own_score.id.is_not(None), peer_score.id.is_not(None)),
               table.where())
        .group_by(Indicator.key, own_score.value, peer_score.value)
    )
    out: dict[str, PairCounts] = defaultdict(dict)
    for key, own_value, peer_value, count in rows:
        out[key][(own_value, peer_value)] = count
    return dict(out)
