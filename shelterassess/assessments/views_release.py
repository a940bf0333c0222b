"""Release of agreed results to facilities, by the national team: one facility, several,
or every finalised result of a round; and withdrawal of a release, with a reason."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, SelectMultipleField
from wtforms.validators import Length, Optional

from shelterassess.assessments import release_queries, release_services
from shelterassess.auth import permissions as perm
from shelterassess.extensions import db
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import bounded_int

bp = Blueprint("release", __name__, url_prefix="/peer/release")


class ReleaseForm(BaseForm):
    facility_ids = SelectMultipleField(_l("Facilities"), coerce=bounded_int, validate_choice=False)
    everything = BooleanField(_l("Every finalised result of the round"))


class WithdrawReleaseForm(BaseForm):
    facility_ids = SelectMultipleField(_l("Facilities"), coerce=bounded_int, validate_choice=False)
    reason = NoteField(_l("Why is the release withdrawn?"), validators=[Optional(), Length(max=1000)])


def _page(round_: Round, release_form: ReleaseForm | None = None, withdraw_form: WithdrawReleaseForm | None = None,
          status: int = 200):
    overview = release_queries.release_overview(db.session, round_)
    return render_template("peer/release.html", overview=overview, round=round_,
                           release_form=release_form or ReleaseForm(formdata=None),
                           withdraw_form=withdraw_form or WithdrawReleaseForm(formdata=None)), status


@bp.route("/rounds/<int:round_id>")
@login_required
def round_(round_id: int):
    require(perm.can_release_results(current_user))
    return _page(get_or_404(Round, round_id))


@bp.route("/rounds/<int:round_id>/release", methods=["POST"])
@login_required
def release(round_id: int):
    require(perm.can_release_results(current_user))
    round_ = get_or_404(Round, round_id)
    form = ReleaseForm()
    chosen = None if form.everything.data else (form.facility_ids.data or [])
    if done := form.submit_to(lambda: release_services.release_results(db.session, current_user, round_, chosen)):
        flash(ngettext("%(num)d result released: the facility now sees its peer and agreed scores.",
                       "%(num)d results released: these facilities now see their peer and agreed scores.",
                       done.result), "success")
        return redirect(url_for(".round_", round_id=round_.id))
    return _page(round_, release_form=form, status=422)


@bp.route("/rounds/<int:round_id>/withdraw", methods=["POST"])
@login_required
def withdraw(round_id: int):
    require(perm.can_release_results(current_user))
    round_ = get_or_404(Round, round_id)
    form = WithdrawReleaseForm()
    chosen = form.facility_ids.data or []
    if not chosen and form.is_submitted():
        form.facility_ids.errors = [_("Choose the results whose release is withdrawn.")]
        return _page(round_, withdraw_form=form, status=422)
    if done := form.submit_to(lambda: release_services.withdraw_release(db.session, current_user, round_,
                                                                         form.reason.data or "", chosen)):
        flash(ngettext("The release of %(num)d result was withdrawn: the facility no longer sees its peer and "
                       "agreed scores.",
                       "The release of %(num)d results was withdrawn: those facilities no longer see their peer and "
                       "agreed scores.", done.result), "success")
        return redirect(url_for(".round_", round_id=round_.id))
    return _page(round_, withdraw_form=form, status=422)
