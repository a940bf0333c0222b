"""Helpers for visit-toolkit tests: team 1 (manager B lead, staff B) visits facility A (from
``tests/peer_scoring_fixtures.py``), and escalations recorded through the service. Flush only;
tests commit before making requests."""
from __future__ import annotations

import datetime as dt

from shelterassess.extensions import db
from shelterassess.toolkit import services
from tests import peer_scoring_fixtures as pf

DESCRIPTION = "A night guard locks the girls' dormitory from outside after 21:00; two children sleep there."
ACTION = "Told the manager, who unlocked the door while the team was there."
TODAY = dt.date(2027, 5, 10)


def team(world):
    """Team 1: manager B (lead) and staff B, assigned to facility A."""
    return pf.team_one(world)


def assignment(world):
    return pf.assignment_of(team(world), world.facility_a)


def escalation(world, by=None, facility=None, category="detention"):
    """An escalation recorded by ``by`` (staff B of team 1 by default) about facility A; the first
    is cached on the world, so a route-matrix setup and its URL share one."""
    if getattr(world, "escalation", None) is not None and by is None and facility is None:
        return world.escalation
    by = by or world.staff_b
    team(world)
    item = services.record_escalation(
        db.session, by, facility=facility or world.facility_a, team=world.team_one, facility_allowed=True,
        category=category, seen_on=TODAY, today=TODAY, description=DESCRIPTION, immediate_action=ACTION)
    world.escalation = item
    return item


def acted(world):
    """An escalation the national team acknowledged and recorded an action on."""
    item = escalation(world)
    if item.status == "open":
        services.record_action(db.session, world.national, item, "Phoned the provincial child protection office.")
    return item


def closed(world):
    item = acted(world)
    if item.status != "closed":
        services.close(db.session, world.national, item, "The province inspected; the lock was removed.")
    return item
