# semgrep --test data for rules view-without-login-required and view-without-permission-check.
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.web.access import get_or_404, require, visible_or_404

bp = Blueprint("things", __name__)


# ruleid: view-without-login-required
@bp.route("/things/export")
def export():
    return render_template("things/export.html")


# ruleid: view-without-permission-check
@bp.route("/things/<int:thing_id>")
@login_required
def thing(thing_id: int):
    return render_template("things/thing.html", thing=get_or_404(Thing, thing_id))


# ok: view-without-login-required, view-without-permission-check
@bp.route("/things/")
@login_required
def index():
    require(perm.can_view_things(current_user))
    return render_template("things/index.html")


# ok: view-without-login-required, view-without-permission-check
@bp.route("/things/<int:thing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(thing_id: int):
    found = visible_or_404(db.session.get(Thing, thing_id), perm.can_edit_thing(current_user, thing_id))
    return render_template("things/edit.html", thing=found)


# ok: view-without-login-required, view-without-permission-check
@bp.route("/things/<int:thing_id>/report")
@login_required
def report(thing_id: int):
    found = _load(thing_id)
    return render_template("things/report.html", thing=found)


# ok: view-without-login-required, view-without-permission-check
@bp.route("/")
@login_required
def dashboard():
    return render_template("main/dashboard.html")


# ok: view-without-login-required
@bp.route("/login", methods=["GET", "POST"])
def login():
    return render_template("auth/login.html")


# ok: view-without-login-required
@bp.route("/health")
def health():
    return {"status": "ok"}


# ruleid: view-without-login-required
@bp.route("/health/details")
def health():
    return {"status": "ok"}
