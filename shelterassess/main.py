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
    """For monitoring, anonymous: 200 ``{"status": "ok"}`` when the database answers ``SELECT 1``,
    503 ``{"status": "unavailable"}`` otherwise. Reveals no versions and no data."""
    from flask import current_app
    from sqlalchemy import text

    from shelterassess.web.database_down import RETRY_AFTER_SECONDS

    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as error:  # whatever the database says, the answer is "not healthy"
        current_app.logger.error("Health check failed (%s): %s", type(error).__name__, str(error).strip()[:500])
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back  # nosec B110
            pass
        return {"status": "unavailable"}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}
