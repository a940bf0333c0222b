"""Dashboard and health check."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from shelterassess.assessments import queries as assessment_queries
from shelterassess.extensions import db
from shelterassess.rounds import queries as round_queries

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def dashboard():
    rounds = round_queries.open_rounds(db.session)
    own = []
    if current_user.facility_id is not None:
        own = assessment_queries.facility_self_assessments(db.session, current_user.facility_id)
    return render_template("main/dashboard.html", open_rounds=rounds, own_assessments=own)


@bp.route("/health")
def health():
    return {"status": "ok"}
