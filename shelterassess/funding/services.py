"""Funding rounds: creating one, its parameters, the proposal (a snapshot of the agreed results
and accepted plans, then the rule), scenarios, adjustments, adding a facility by hand, approval
and reopening.

Services flush only; the request or CLI command commits once. Every change first takes a row
lock on the funding round (``db.lock_rows``: ``SELECT … FOR UPDATE`` on PostgreSQL, the write
lock on SQLite) and only then reads what it checks, so two people saving at the same moment are
served one after the other: the second sees the first's amounts and is refused if the totals
would go above the budget or an envelope. Every change is a :class:`FundingEvent`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.db import lock_rows, utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.funding import domain, labels, queries
from shelterassess.funding.models import AllocationLine, FundingEvent, FundingFacility, FundingRound, FundingScenario
from shelterassess.plans.changes import change_lines, changes
from shelterassess.plans.domain import CATEGORIES, Problem
from shelterassess.rounds.models import Round
from shelterassess.web.params import int_or_none

RULE_FIELDS = ("budget_vnd", "rounding_unit_vnd", "red_flag_weight", "use_capacity",
               *(f"envelope_{c}_vnd" for c in CATEGORIES))


# -- shared ----------------------------------------------------------------------------------------

def refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed([(p.field, labels.problem_message(p)) for p in problems])


def record(session: Session, fround: FundingRound, user: User | None, action: str, detail: str = "",
           reason: str = "", facility_id: int | None = None, category: str | None = None) -> None:
    session.add(FundingEvent(funding_round_id=fround.id, user_id=user.id if user else None, action=action,
                             detail=detail, reason=reason, facility_id=facility_id, category=category))


def lock(session: Session, fround: FundingRound) -> None:
    """Hold the round's row lock until the commit and read everything afresh (see the module docstring)."""
    lock_rows(session, FundingRound, [fround.id])


def ensure_editable(fround: FundingRound) -> None:
    if not fround.is_editable:
        raise ValidationFailed([(None, _("The allocation is approved and locked. The national team reopens it, "
                                         "with a reason, to change it."))])


def ensure_proposal(fround: FundingRound) -> None:
    if fround.proposal_at is None:
        raise ValidationFailed([(None, _("Compute the proposal first."))])


def touch(fround: FundingRound) -> None:
    """Mark the round changed: its version goes up with the flush."""
    fround.updated_at = utcnow()


def _as_text(values: dict[str, object]) -> dict[str, str]:
    return {k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()}


# -- parameters --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParametersInput:
    """What the round or scenario form sends: amounts as typed (an empty envelope: none)."""

    red_flag_weight: str
    use_capacity: bool
    envelopes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundInput:
    name: str
    budget: str
    rounding_unit: str
    parameters: ParametersInput
    round_id: int | None = None  # only when creating


def _amount(typed: str, name: str, problems: list[Problem]) -> int | None:
    try:
        return domain.parse_amount(typed)
    except domain.AmountError as error:
        problems.append(Problem(name, error.code))
        return None


def _parameters(data: ParametersInput, problems: list[Problem]) -> dict[str, object]:
    typed = (data.red_flag_weight or "").strip()
    weight = int_or_none(typed)  # ASCII digits only: "²".isdigit() is true, int("²") raises
    if weight is None or weight > domain.MAX_RED_FLAG_WEIGHT:
        problems.append(Problem("red_flag_weight", "red_flag_weight_range"))
    values: dict[str, object] = {"red_flag_weight": weight if weight is not None else 0,
                                 "use_capacity": bool(data.use_capacity)}
    for c in CATEGORIES:
        text = (data.envelopes.get(c) or "").strip()
        values[f"envelope_{c}_vnd"] = _amount(text, f"envelope_{c}", problems) if text else None
    return values


def _rules_of(values: dict[str, object]) -> domain.Rules:
    return domain.Rules(int(values["budget_vnd"]), int(values["rounding_unit_vnd"]),  # type: ignore[arg-type]
                        {c: values[f"envelope_{c}_vnd"] for c in CATEGORIES})  # type: ignore[misc]


def _name_problems(session: Session, name: str, except_id: int | None) -> list[Problem]:
    if not name:
        return [Problem("name", "name_missing")]
    if len(name) > domain.NAME_MAX:
        return [Problem("name", "too_long", (("max", domain.NAME_MAX),))]
    return [Problem("name", "name_taken")] if queries.name_taken(session, name, except_id) else []


def _round_values(session: Session, data: RoundInput, except_id: int | None,
                  problems: list[Problem]) -> dict[str, object]:
    problems += _name_problems(session, data.name.strip(), except_id)
    values: dict[str, object] = {"name": data.name.strip()}
    values["budget_vnd"] = _amount(data.budget, "budget", problems)
    if values["budget_vnd"] == 0:
        problems.append(Problem("budget", "budget_zero"))
    values["rounding_unit_vnd"] = _amount(data.rounding_unit, "rounding_unit", problems)
    values.update(_parameters(data.parameters, problems))
    if not problems:
        problems += domain.rules_problems(_rules_of(values))
    return values


def create_funding_round(session: Session, user: User, data: RoundInput) -> FundingRound:
    round_ = session.get(Round, data.round_id) if data.round_id else None
    problems = [] if round_ is not None else [Problem("round_id", "round_unknown")]
    values = _round_values(session, data, None, problems)
    refuse(problems)
    fround = FundingRound(round_id=round_.id, created_by_id=user.id, **values)
    session.add(fround)
    session.flush()
    record(session, fround, user, "created", change_lines(changes({}, _as_text(values))))
    session.flush()
    return fround


def update_funding_round(session: Session, user: User, fround: FundingRound, data: RoundInput) -> None:
    """Name, budget, unit and parameters; a proposal already computed is recomputed on its
    snapshot when a rule parameter changed (which clears the adjustments, recorded)."""
    lock(session, fround)
    ensure_editable(fround)
    problems: list[Problem] = []
    values = _round_values(session, data, fround.id, problems)
    refuse(problems)
    before = _as_text({k: getattr(fround, k) for k in values})
    for name, value in values.items():
        setattr(fround, name, value)
    changed = changes(before, _as_text(values))
    if not changed:
        return
    record(session, fround, user, "parameters", change_lines(changed))
    if fround.proposal_at is not None and any(name in RULE_FIELDS for name, _o, _n in changed):
        _apply_rule(session, user, fround)
    touch(fround)
    session.flush()


# -- the proposal -------------------------------------------------------------------------------------

def compute_proposal(session: Session, user: User, fround: FundingRound) -> None:
    """Take a new snapshot of the round's finalised agreed results and accepted plans, then apply
    the rule. Facilities without a finalised result are kept apart (a facility added by hand stays
    added while it has no result)."""
    lock(session, fround)
    ensure_editable(fround)
    results = {r.facility_id: r for r in queries.finalised_results(session, fround.round_id)}
    requests = queries.requests_by_facility(session, fround.round_id)
    wanted = set(results) | queries.participants(session, fround.round_id) | set(requests)
    session.scalars(select(Facility).where(Facility.id.in_(wanted))).all()  # in the identity map: no query per row
    existing = {ff.facility_id: ff for ff in fround.facilities}
    for facility_id, ff in existing.items():
        if facility_id not in wanted:
            _clear_adjustments(session, user, fround, ff)
            fround.facilities.remove(ff)
    for facility_id in sorted(wanted):
        ff = existing.get(facility_id)
        if ff is None:
            ff = FundingFacility(facility_id=facility_id)
            fround.facilities.append(ff)
        _snapshot(ff, results.get(facility_id), requests.get(facility_id, {}))  # nosec B113 # a dict
    session.flush()
    session.expire(fround, ["facilities"])
    fround.proposal_at = utcnow()
    apart = sum(not ff.has_result for ff in fround.facilities)
    record(session, fround, user, "proposal", change_lines([
        ("facilities", "", str(len(fround.facilities) - apart)), ("apart", "", str(apart)),
        ("requested_vnd", "", str(sum(ln.request_vnd for ff in fround.facilities if ff.has_result
                                      for ln in ff.lines)))]))
    _apply_rule(session, user, fround)
    touch(fround)
    session.flush()


def _snapshot(ff: FundingFacility, result: queries.ResultRow | None, requests: dict[str, int]) -> None:
    ff.agreed_id = result.agreed_id if result else None
    ff.overall_tenths = domain.tenths(result.overall_percentage) if result else None
    ff.red_flags = result.red_flags if result else 0
    ff.capacity = result.capacity if result else 0
    if result is not None:
        ff.added_by_hand, ff.added_reason = False, ""
    lines = {ln.category: ln for ln in ff.lines}
    for c in CATEGORIES:
        if c not in lines:
            lines[c] = AllocationLine(category=c)
            ff.lines.append(lines[c])
        lines[c].request_vnd = requests.get(c, 0)  # nosec B113 # a dict, not the HTTP library


def _apply_rule(session: Session, user: User, fround: FundingRound) -> None:
    """Proposed amounts from the rule on the snapshot; adjustments cleared (and recorded)."""
    allocation = queries.allocation_for(fround, queries.Parameters.of(fround))
    for ff in fround.facilities:
        _clear_adjustments(session, user, fround, ff)
        for line in ff.lines:
            line.proposed_vnd = allocation.amount(ff.facility.code, line.category) if ff.has_result else 0


def _clear_adjustments(session: Session, user: User, fround: FundingRound, ff: FundingFacility) -> None:
    for line in ff.lines:
        if line.adjusted_vnd is not None:
            record(session, fround, user, "adjustment_cleared",
                   change_lines([("amount_vnd", str(line.adjusted_vnd), "")]), line.reason, ff.facility_id,
                   line.category)
            line.adjusted_vnd, line.reason = None, ""


# -- scenarios -----------------------------------------------------------------------------------------

def save_scenario(session: Session, user: User, fround: FundingRound, name: str,
                  data: ParametersInput) -> FundingScenario:
    lock(session, fround)
    ensure_editable(fround)
    name = (name or "").strip()
    problems: list[Problem] = []
    if not name:
        problems.append(Problem("name", "name_missing"))
    elif len(name) > domain.NAME_MAX:
        problems.append(Problem("name", "too_long", (("max", domain.NAME_MAX),)))
    elif any(s.name.lower() == name.lower() for s in fround.scenarios):
        problems.append(Problem("name", "name_taken"))
    values = _parameters(data, problems)
    if not problems:
        problems += domain.rules_problems(_rules_of({**values, "budget_vnd": fround.budget_vnd,
                                                     "rounding_unit_vnd": fround.rounding_unit_vnd}))
    refuse(problems)
    scenario = FundingScenario(funding_round_id=fround.id, name=name, created_by_id=user.id, **values)
    session.add(scenario)
    record(session, fround, user, "scenario_added", change_lines(changes({}, _as_text({"scenario": name, **values}))))
    touch(fround)
    session.flush()
    return scenario


def delete_scenario(session: Session, user: User, fround: FundingRound, scenario: FundingScenario) -> None:
    lock(session, fround)
    ensure_editable(fround)
    record(session, fround, user, "scenario_deleted", change_lines([("scenario", scenario.name, "")]))
    session.delete(scenario)
    touch(fround)
    session.flush()


def adopt_scenario(session: Session, user: User, fround: FundingRound, scenario: FundingScenario) -> None:
    """The scenario's parameters become the round's, and the proposal is recomputed on the same
    snapshot (the adjustments are cleared, recorded)."""
    lock(session, fround)
    ensure_editable(fround)
    ensure_proposal(fround)
    params = queries.Parameters.of(scenario)
    refuse(domain.rules_problems(domain.Rules(fround.budget_vnd, fround.rounding_unit_vnd, params.envelopes)))
    values = {"red_flag_weight": params.red_flag_weight, "use_capacity": params.use_capacity,
              **{f"envelope_{c}_vnd": params.envelopes[c] for c in CATEGORIES}}
    before = _as_text({k: getattr(fround, k) for k in values})
    for name, value in values.items():
        setattr(fround, name, value)
    record(session, fround, user, "scenario_adopted",
           change_lines([("scenario", "", scenario.name), *changes(before, _as_text(values))]))
    _apply_rule(session, user, fround)
    touch(fround)
    session.flush()


# -- adjustments and facilities added by hand ----------------------------------------------------------------

def adjust(session: Session, user: User, fround: FundingRound, line_id: int, amount: str, reason: str,
           version: int | None = None) -> AllocationLine:
    """Set one facility's amount in one category, with a reason. Refused above the request, or when
    the totals would go above the budget or the category's envelope (checked under the round's lock)."""
    lock(session, fround)
    ensure_editable(fround)
    ensure_proposal(fround)
    line = session.get(AllocationLine, line_id)
    if line is None or line.funding_facility.funding_round_id != fround.id:
        raise ValidationFailed([(None, _("This line is not part of the funding round."))])
    ff = line.funding_facility
    if not ff.has_result and not ff.added_by_hand:
        raise ValidationFailed([(None, _("%(facility)s has no finalised agreed result. Add it by hand, with a "
                                         "reason, before giving it an amount.", facility=ff.facility.code))])
    if version is not None and version != line.version:
        raise StaleData([ff.facility.code])
    problems: list[Problem] = []
    value = _amount(amount, "amount", problems)
    problems += domain.reason_problems(reason)
    if not problems:
        problems += domain.adjustment_problems(_lines(fround), ff.facility.code, line.category, value,
                                               queries.rules(fround, queries.Parameters.of(fround)))
    refuse(problems)
    record(session, fround, user, "adjusted", change_lines([("amount_vnd", str(line.amount_vnd), str(value))]),
           reason.strip(), ff.facility_id, line.category)
    line.adjusted_vnd, line.reason = value, reason.strip()
    touch(fround)
    session.flush()
    return line


def _lines(fround: FundingRound) -> list[domain.Line]:
    return [domain.Line(ff.facility.code, ln.category, ln.request_vnd, ln.amount_vnd)
            for ff in fround.facilities if ff.has_result or ff.added_by_hand for ln in ff.lines]


def add_by_hand(session: Session, user: User, fround: FundingRound, ff: FundingFacility, reason: str) -> None:
    """A facility without a finalised agreed result becomes fundable (by adjustments), with a reason."""
    lock(session, fround)
    ensure_editable(fround)
    if ff.funding_round_id != fround.id or ff.has_result or ff.added_by_hand:
        raise ValidationFailed([(None, _("Only a facility listed apart (without a finalised result) can be added "
                                         "by hand."))])
    refuse(domain.reason_problems(reason))
    ff.added_by_hand, ff.added_reason = True, reason.strip()
    record(session, fround, user, "added_by_hand", "", reason.strip(), ff.facility_id)
    touch(fround)
    session.flush()


# -- approval ---------------------------------------------------------------------------------------------

def approve(session: Session, user: User, fround: FundingRound) -> None:
    """Lock the allocation: the facilities see their amounts and letters."""
    lock(session, fround)
    ensure_editable(fround)
    ensure_proposal(fround)
    lines, params = _lines(fround), queries.Parameters.of(fround)
    total = sum(ln.amount for ln in lines)
    over_envelope = [c for c in CATEGORIES if params.envelopes[c] is not None
                     and sum(ln.amount for ln in lines if ln.category == c) > params.envelopes[c]]
    if total > fround.budget_vnd or over_envelope or any(ln.amount > ln.request for ln in lines):
        raise ValidationFailed([(None, _("The amounts are above the budget, an envelope or a request. Compute the "
                                         "proposal again."))])
    fround.status, fround.approved_at, fround.approved_by_id = domain.APPROVED, utcnow(), user.id
    record(session, fround, user, "approved", change_lines([("amount_vnd", "", str(total))]))
    touch(fround)
    session.flush()


def reopen(session: Session, user: User, fround: FundingRound, reason: str) -> None:
    """Back to editable, with the reason recorded; the facilities no longer see it until approved again."""
    lock(session, fround)
    if not fround.is_approved:
        raise ValidationFailed([(None, _("Only an approved allocation can be reopened."))])
    refuse(domain.reason_problems(reason))
    fround.status = domain.REOPENED
    record(session, fround, user, "reopened", "", reason.strip())
    touch(fround)
    session.flush()
