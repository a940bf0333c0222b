"""``seed-scale``'s funding rounds: one per closed assessment round, with its allocation lines.

The rows :mod:`shelterassess.funding.services` writes for ``create_funding_round``,
``compute_proposal`` and (rounds before the latest closed one) ``approve``, inserted in bulk:
the snapshot reads the round through the funding package's own queries (finalised agreed
results, the requests of the accepted plans, the participants) and the proposed amounts come
from the allocation rule (:func:`shelterassess.funding.domain.allocate`), so the totals never
exceed the budget nor an envelope. The budget is :data:`BUDGET_SHARE` of what the accepted
plans request (a national fund never covers every request), in units of :data:`UNIT`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shelterassess.facilities.models import Facility
from shelterassess.funding import domain, queries
from shelterassess.funding.models import AllocationLine, FundingEvent, FundingFacility, FundingRound
from shelterassess.funding.services import _as_text  # the service's own text of the values: same detail lines
from shelterassess.plans.changes import change_lines, changes
from shelterassess.plans.domain import CAPACITY_BUILDING, CATEGORIES
from shelterassess.rounds.models import Round

FUND_PREFIX = "Synthetic fund"
UNIT = 1_000_000
BUDGET_SHARE = (3, 5)  # three fifths of the requests
RED_FLAG_WEIGHT = 10
#: Days after the round's start: created and computed (after the plans are accepted), approved.
COMPUTED_DAYS, APPROVED_DAYS = 95, 100


def seed_funding(session: Session, rounds: list[tuple[Round, datetime]], national_id: int,
                 bulk_insert) -> int:
    """A funding round per closed round (approved but in the latest closed round, where it is a
    computed draft); returns the number of allocation lines. A funding round that exists (by
    name, with ``--append``) is left as it is."""
    closed = [(r, when) for r, when in rounds if not r.is_open]
    lines = 0
    for age, (round_, when) in enumerate(reversed(closed)):
        name = f"{FUND_PREFIX} – {round_.name}"
        if session.scalar(select(FundingRound.id).where(FundingRound.name == name)) is not None:
            continue
        lines += _fund(session, round_, name, when, approved=age > 0, national_id=national_id,
                       use_capacity=age % 2 == 1, bulk_insert=bulk_insert)
    return lines


def _fund(session: Session, round_: Round, name: str, when: datetime, approved: bool, national_id: int,
          use_capacity: bool, bulk_insert) -> int:
    results = {r.facility_id: r for r in queries.finalised_results(session, round_.id)}
    asked = queries.requests_by_facility(session, round_.id)
    wanted = sorted(set(results) | queries.participants(session, round_.id) | set(asked))
    codes = dict(session.execute(select(Facility.id, Facility.code).where(Facility.id.in_(wanted))).all())
    requested = sum(sum(asked.get(f, {}).values()) for f in results)
    budget = max(UNIT, requested * BUDGET_SHARE[0] // BUDGET_SHARE[1] // UNIT * UNIT)
    envelope = None if approved else budget // 5 // UNIT * UNIT
    values: dict[str, object] = {
        "name": name, "budget_vnd": budget, "rounding_unit_vnd": UNIT, "red_flag_weight": RED_FLAG_WEIGHT,
        "use_capacity": use_capacity, **{f"envelope_{c}_vnd": envelope if c == CAPACITY_BUILDING else None
                                         for c in CATEGORIES}}
    rules = domain.Rules(budget, UNIT, {c: values[f"envelope_{c}_vnd"] for c in CATEGORIES})  # type: ignore[misc]
    needs = [domain.NeedInput(codes[f], domain.tenths(r.overall_percentage), r.red_flags, r.capacity)
             for f, r in results.items()]
    weights = domain.need_weights(needs, RED_FLAG_WEIGHT, use_capacity)
    allocation = domain.allocate([domain.Claim(codes[f], weights[codes[f]], asked.get(f, {c: 0 for c in CATEGORIES}))
                                  for f in results], rules)
    computed = when + timedelta(days=COMPUTED_DAYS)
    done = when + timedelta(days=APPROVED_DAYS) if approved else computed
    total = allocation.total
    assert total <= budget  # nosec B101 # the rule's invariant
    fround_id = session.scalar(insert(FundingRound.__table__).returning(FundingRound.__table__.c.id), [{
        **values, "round_id": round_.id, "status": domain.APPROVED if approved else domain.DRAFT,
        "proposal_at": computed, "approved_at": done if approved else None,
        "approved_by_id": national_id if approved else None, "created_by_id": national_id,
        "created_at": computed, "updated_at": done,
        # one version per flush that changes the round: created, its snapshot's facilities, the proposal, approval
        "version": 4 if approved else 3}])
    snapshot = [{"funding_round_id": fround_id, "facility_id": f,
                 "agreed_id": results[f].agreed_id if f in results else None,
                 "overall_tenths": domain.tenths(results[f].overall_percentage) if f in results else None,
                 "red_flags": results[f].red_flags if f in results else 0,
                 "capacity": results[f].capacity if f in results else 0,
                 "added_by_hand": False, "added_reason": ""} for f in wanted]
    ff_ids = list(session.scalars(insert(FundingFacility).returning(FundingFacility.id, sort_by_parameter_order=True),
                                  snapshot))
    rows = []
    for ff_id, f in zip(ff_ids, wanted):
        for c in CATEGORIES:
            proposed = allocation.amount(codes[f], c) if f in results else 0
            rows.append({"funding_facility_id": ff_id, "category": c, "request_vnd": asked.get(f, {}).get(c, 0),
                         "proposed_vnd": proposed, "adjusted_vnd": None, "reason": "",
                         "version": 2 if proposed else 1})
    bulk_insert(session, AllocationLine, rows)
    events = [("created", change_lines(changes({}, _as_text(values))), computed),
              ("proposal", change_lines([("facilities", "", str(len(results))),
                                         ("apart", "", str(len(wanted) - len(results))),
                                         ("requested_vnd", "", str(requested))]), computed)]
    if approved:
        events.append(("approved", change_lines([("amount_vnd", "", str(total))]), done))
    session.execute(insert(FundingEvent), [{"funding_round_id": fround_id, "user_id": national_id, "action": action,
                                            "facility_id": None, "category": None, "detail": detail, "reason": "",
                                            "at": at} for action, detail, at in events])
    return len(rows)
