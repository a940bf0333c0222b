"""A round with everything the national workshop pack summarises, on the mini score sheet.

* Facility A (SH-A, Hà Nội): self, team 1's peer and the finalised, released agreed result of
  ``peer_scoring_fixtures`` (A1 2, A2 N/A, B1 3, B2 2); the accepted plan of
  ``followup_fixtures`` and its submitted follow-up visit (compliance 75 %, +2 points,
  5 000 000 đ spent, 2 500 000 đ per point).
* Facility B (RC-B, Lào Cai): self, team 2's peer and a finalised agreed result (not released)
  with B1, a critical indicator, at 0 (a red flag); an accepted plan (same actions), no visit.
* Facility C (RC-C, Hà Nội): in the round, nothing submitted.

Hand-computed (area A = facilities, B = confidentiality):

* means by area, self 58.3 / 83.3, peer 41.7 / 66.7, agreed 50.0 / 66.7; overall 70.8, 54.2, 58.3;
* self vs peer pairs (N/A left out): A (3,1) (3,3) (2,2); B (0,2) (1,1) (2,0) (3,3): 7 pairs, exact
  and within one 4/7 = 57.1 %; gaps of 2 or more: A1 twice (A higher, B lower), B1 once (B higher);
* training needs: skill "confidentiality", one action in Hà Nội and one in Lào Cai.

Anonymised, no province has 3 facilities with a result, so every province is "Other provinces".
"""
from __future__ import annotations

import datetime as dt

from shelterassess.assessments.models import AssessmentKind
from shelterassess.db import utcnow
from shelterassess.extensions import db
from tests import comparisons_fixtures as cf
from tests import followup_fixtures as ff
from tests import peer_scoring_fixtures as pf

SELF_B = {"A1": 0, "A2": 1, "B1": 2, "B2": 3}
PEER_B = {"A1": 2, "A2": 1, "B1": 0, "B2": 3}
AGREED_B = {"A1": 1, "A2": 1, "B1": 0, "B2": 3}

NAMES = ("Nhà tạm lánh A", "Trung tâm tiếp nhận B", "Trung tâm tiếp nhận C")
CODES = ("SH-A", "RC-B", "RC-C")
PROVINCES = ("Hà Nội", "Lào Cai")


def pack_world(w):
    if hasattr(w, "pack_ready"):
        return w
    pf.finalised_agreed(w).released_at = utcnow()
    pf.add_facility_c(w)
    w.team_b = pf.make_team(w, "Team 2", w.manager_c, [w.staff_c], facilities=[w.facility_b])
    w.self_b = cf.scored(w, w.manager_b, w.facility_b, w.round, AssessmentKind.SELF, SELF_B)
    w.peer_b = cf.scored(w, w.manager_c, w.facility_b, w.round, AssessmentKind.PEER, PEER_B, team=w.team_b)
    w.agreed_b = cf.scored(w, w.manager_c, w.facility_b, w.round, AssessmentKind.AGREED, AGREED_B)
    ff.submitted_visit(w).visited_on = ff.today() - dt.timedelta(days=3)  # not the day the pack is made
    w.plan_b = ff.make_plan(w, facility=w.facility_b, agreed=w.agreed_b)
    w.pack_ready = True
    db.session.commit()
    return w


def pack_url(w, suffix: str = "", query: str = "") -> str:
    return f"/workshop/rounds/{w.round.id}{suffix}{'?' + query if query else ''}"


def approved_allocation(w):
    """An approved funding round of 10 000 000 đ in units of 1 000 000 đ, red flags weighing 10, no
    envelopes. Requests (both plans): facilities improvement 7 000 000, capacity building 3 000 000.
    Weights: A 100 − 75.0 = 25; B 100 − 41.7 + 10 = 68.3. Units: A 2, B 8 (7.3 rounded down, the
    unit left over to the larger weight); A 1 + 1, B 6 + 2 (facilities improvement + capacity
    building). A gained 2 points at follow-up: 1 000 000 đ per point; B has no visit."""
    from shelterassess.funding import services as funding

    if not hasattr(w, "funding_round"):
        pack_world(w)
        data = funding.RoundInput("Improvement fund 2027", "10.000.000", "1.000.000",
                                  funding.ParametersInput("10", False, {}), w.round.id)
        w.funding_round = funding.create_funding_round(db.session, w.national, data)
        funding.compute_proposal(db.session, w.national, w.funding_round)
        funding.approve(db.session, w.national, w.funding_round)
        db.session.commit()
    return w.funding_round
