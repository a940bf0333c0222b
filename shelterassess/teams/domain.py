"""Peer-team rules: composition and conflicts of interest. Pure: dataclasses in, results out.

Nothing here knows about Flask or the database. Services build the dataclasses from
the models, views turn each :class:`RuleResult` code into a translated message.

Errors block the change; warnings are shown and the national team may confirm them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

MIN_MEMBERS = 2
MAX_MEMBERS = 5
MAX_TEAMS_PER_FACILITY = 2

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Person:
    """A (prospective) team member."""

    id: int
    name: str
    facility_id: int | None
    facility_code: str = ""
    certified: bool = True
    reception_centre: bool = False  # works at a border reception centre

    @property
    def label(self) -> str:
        return f"{self.name} ({self.facility_code})" if self.facility_code else self.name


@dataclass(frozen=True)
class TeamPlan:
    """The team as it would be after the change being checked."""

    name: str
    members: tuple[Person, ...]
    lead_id: int | None
    facility_ids: frozenset[int] = frozenset()  # facilities the team is assigned to
    id: int | None = None  # None for a team not saved yet

    @property
    def member_ids(self) -> frozenset[int]:
        return frozenset(p.id for p in self.members)

    @property
    def member_facility_ids(self) -> frozenset[int]:
        return frozenset(p.facility_id for p in self.members if p.facility_id is not None)


@dataclass(frozen=True)
class OtherTeam:
    """Another team of the same round."""

    id: int
    name: str
    member_facility_ids: frozenset[int]
    facility_ids: frozenset[int]  # assigned facilities


@dataclass(frozen=True)
class PastTeam:
    """A team of the previous round."""

    round_name: str
    member_ids: frozenset[int]
    facility_ids: frozenset[int]


@dataclass(frozen=True)
class RoundContext:
    """What the rules need to know about the rest of the round and the round before."""

    others: tuple[OtherTeam, ...] = ()
    previous: tuple[PastTeam, ...] = ()
    facility_codes: Mapping[int, str] = field(default_factory=dict)

    def code(self, facility_id: int) -> str:
        return self.facility_codes.get(facility_id, str(facility_id))


@dataclass(frozen=True)
class RuleResult:
    level: str  # ERROR or WARNING
    code: str
    message_params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def error(code: str, **params: Any) -> RuleResult:
    return RuleResult(ERROR, code, params)


def warning(code: str, **params: Any) -> RuleResult:
    return RuleResult(WARNING, code, params)


def errors(results: Iterable[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.level == ERROR]


def warnings(results: Iterable[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.level == WARNING]


# -- the checks ------------------------------------------------------------------

def check_team(team: TeamPlan, context: RoundContext = RoundContext()) -> list[RuleResult]:
    """Every rule, for creating a team or changing its members (with its current assignments)."""
    return (
        check_composition(team)
        + check_member_conflicts(team, team.facility_ids, context)
        + check_reciprocal(team, team.facility_ids, context)
        + check_repeats(team, team.facility_ids, context)
    )


def check_assignment(team: TeamPlan, facility_id: int, context: RoundContext = RoundContext()) -> list[RuleResult]:
    """The rules for assigning ``team`` to one more facility (composition warnings were confirmed before)."""
    if facility_id in team.facility_ids:
        return [error("already_assigned", team=team.name, facility=context.code(facility_id))]
    planned = replace(team, facility_ids=team.facility_ids | {facility_id})
    new = frozenset({facility_id})
    return (
        check_certification(team.members)
        + check_member_conflicts(planned, new, context)
        + check_reciprocal(planned, new, context)
        + check_capacity(facility_id, context)
        + check_repeats(planned, new, context)
    )


def check_composition(team: TeamPlan) -> list[RuleResult]:
    results: list[RuleResult] = []
    size = len(team.member_ids)
    if not MIN_MEMBERS <= size <= MAX_MEMBERS:
        results.append(error("team_size", count=size, min=MIN_MEMBERS, max=MAX_MEMBERS))
    if team.lead_id is None:
        results.append(error("lead_missing"))
    elif team.lead_id not in team.member_ids:
        results.append(error("lead_not_member"))
    for person in team.members:
        if person.facility_id is None:
            results.append(error("member_without_facility", person=person.label))
    results += check_certification(team.members)
    if team.members and not any(p.reception_centre for p in team.members):
        results.append(warning("no_reception_centre_member"))
    return results


def check_certification(members: Sequence[Person]) -> list[RuleResult]:
    return [error("member_not_certified", person=p.label) for p in members if not p.certified]


def check_member_conflicts(team: TeamPlan, facility_ids: Iterable[int], context: RoundContext) -> list[RuleResult]:
    """No member may work at a facility the team assesses."""
    return [
        error("member_from_assessed_facility", person=p.label, name=p.name, facility=context.code(fid))
        for fid in sorted(facility_ids)
        for p in team.members
        if p.facility_id == fid
    ]


def check_reciprocal(team: TeamPlan, facility_ids: Iterable[int], context: RoundContext) -> list[RuleResult]:
    """No two facilities assess each other in the same round.

    Facility X assesses Y when a team with a member from X is assigned to Y. The team's
    new pairs (member facility X, assessed facility Y) must not meet another team of the
    round with a member from Y assigned to X.
    """
    results = []
    for y in sorted(facility_ids):
        for x in sorted(team.member_facility_ids - {y}):
            for other in context.others:
                if other.id != team.id and y in other.member_facility_ids and x in other.facility_ids:
                    results.append(error("reciprocal_assessment", facility=context.code(x), assessed=context.code(y),
                                         other_team=other.name))
    return results


def check_capacity(facility_id: int, context: RoundContext) -> list[RuleResult]:
    """A facility has at most two teams in a round (the new assignment included)."""
    teams = sorted(o.name for o in context.others if facility_id in o.facility_ids)
    if len(teams) + 1 > MAX_TEAMS_PER_FACILITY:
        return [error("too_many_teams", facility=context.code(facility_id), teams=", ".join(teams),
                      max=MAX_TEAMS_PER_FACILITY)]
    return []


def check_repeats(team: TeamPlan, facility_ids: Iterable[int], context: RoundContext) -> list[RuleResult]:
    """Warn when the same members assessed the same facility in the previous round."""
    return [
        warning("repeated_team", facility=context.code(fid), round=past.round_name)
        for fid in sorted(facility_ids)
        for past in context.previous
        if past.member_ids == team.member_ids and fid in past.facility_ids
    ]


def new_warnings(results: Sequence[RuleResult], before: Sequence[RuleResult]) -> list[RuleResult]:
    """Warnings in ``results`` that did not apply before the change (those were confirmed then)."""
    return [r for r in warnings(results) if r not in before]
