"""Rounds: the national team creates, opens and closes them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments import queries as assessment_queries
from shelterassess.assessments.forms import EmptyForm, StartForm
from shelterassess.auth import permissions as perm
from shelterassess.extensions import db
from shelterassess.i18n import localized
from shelterassess.rounds import queries, services
from shelterassess.rounds.forms import RoundForm
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import ScoreSheetVersion
from shelterassess.scoresheets.queries import published_versions
from shelterassess.web.forms import commit_or_flash
from shelterassess.web.access import get_or_404, require
from shelterassess.web.pagination import paginate

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.route("/")
@login_required
def index():
    require(perm.can_view_rounds(current_user))
    page = paginate(db.session, queries.rounds_query(), request.args)
    rounds = page.items
    own = {}
    if current_user.facility_id:
        own = {a.round_id: a for a in assessment_queries.facility_self_assessments(db.session, current_user.facility_id)}
    return render_template("rounds/index.html", rounds=rounds, page=page, own=own, form=EmptyForm(),
                           start_form=StartForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(perm.can_manage_rounds(current_user))
    form = RoundForm()
    form.sheet.choices = [(s.id, f"{localized(s, 'title')} · v{s.version}") for s in published_versions(db.session)]
    if form.submit_to(lambda: services.create_round(db.session, form.name.data,
                                                    get_or_404(ScoreSheetVersion, form.sheet.data))):
        flash(_("Round created. Open it when facilities should start their self-assessments."), "success")
        return redirect(url_for(".index"))
    return render_template("rounds/form.html", form=form)


@bp.route("/<int:round_id>/open", methods=["POST"])
@login_required
def open_(round_id: int):
    return _change(round_id, services.open_round, _("The round is open."))


@bp.route("/<int:round_id>/close", methods=["POST"])
@login_required
def close(round_id: int):
    return _change(round_id, services.close_round, _("The round is closed. Its assessments are now read-only."))


def _change(round_id: int, action, message: str):
    require(perm.can_manage_rounds(current_user))
    round_ = get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".index"))
    if commit_or_flash(lambda: action(db.session, round_)):
        flash(message, "success")
    return redirect(url_for(".index"))
