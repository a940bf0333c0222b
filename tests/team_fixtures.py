"""Helpers for peer-team tests: certify assessors, add a third facility, form and assign teams.

They build on the ``world`` namespace from ``tests/conftest.py`` and flush only.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.peer.models import Certification
from tests.conftest import PASSWORD


def certify(w, *users) -> None:
    """Give each user a valid certification (once)."""
    have = set(db.session.scalars(select(Certification.user_id).where(Certification.revoked_at.is_(None))))
    for user in users:
        if user.id not in have:
            db.session.add(Certification(user_id=user.id, certified_by_id=w.national.id, certified_at=utcnow()))
            have.add(user.id)
    db.session.flush()


def add_facility_c(w):
    """Shelter SH-C with one staff member ``w.staff_c`` (display name "staff.c")."""
    if hasattr(w, "facility_c"):
        return w.facility_c
    from shelterassess.auth import services as auth
    from shelterassess.facilities.services import FacilityInput, save_facility

    w.facility_c = save_facility(db.session, FacilityInput("SH-C", "Nhà tạm lánh C", "shelter",
                                                           w.facility_a.province_id, 10, True, "", ""))
    w.staff_c = auth.create_user(db.session, "staff.c@example.org", Role.FACILITY_STAFF, "staff.c", w.facility_c)
    w.staff_c.password_hash = auth.hash_password(PASSWORD)
    db.session.flush()
    return w.facility_c


def make_team(w, members=None, lead=None, facility=None, visit: dt.date | None = None, name="Alpha", round_=None):
    """A team (certifying its members first), optionally assigned to ``facility``; warnings confirmed."""
    from shelterassess.teams import services

    members = list(members or [w.staff_a, w.manager_a])
    certify(w, *members)
    team, _warnings = services.create_team(db.session, round_ or w.round, name, members, lead or members[-1],
                                           confirm_warnings=True)
    if facility is not None:
        services.assign(db.session, team, facility, visit, confirm_warnings=True)
    return team
