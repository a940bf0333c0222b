"""The proposal of a funding round: computing it, scenarios side by side and adopting one,
adjusting one facility's amount in one category, adding a facility without a finalised result by
hand. National team only; every change is refused once the allocation is approved."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.extensions import db
from shelterassess.funding import comparison, labels, queries, services
from shelterassess.funding.forms import AdjustForm, CompareForm, ReasonForm, ScenarioForm, typed_amount
from shelterassess.funding.models import AllocationLine, FundingFacility, FundingScenario
from shelterassess.funding.views import load_round, post_button, round_url, stale_message, submit_or_refuse
from shelterassess.web.access import require

bp = Blueprint("funding_proposal", __name__, url_prefix="/funding")


def _changeable(funding_round_id: int):
    fround = load_round(funding_round_id)
    require(perm.can_change_allocation(current_user, fround))
    return fround


def _child_or_404(model, ident: int, fround, owner) -> object:
    obj = db.session.get(model, ident)
    if obj is None or owner(obj) != fround.id:
        abort(404)
    return obj


@bp.route("/<int:funding_round_id>/proposal", methods=["POST"])
@login_required
def compute(funding_round_id: int):
    fround = load_round(funding_round_id)
    return post_button(fround, perm.can_change_allocation(current_user, fround),
                       lambda: services.compute_proposal(db.session, current_user, fround),
                       _("The proposal is computed from the finalised agreed results and the accepted plans."))


# -- scenarios -------------------------------------------------------------------------------------------------

@bp.route("/<int:funding_round_id>/scenarios/new", methods=["GET", "POST"])
@login_required
def new_scenario(funding_round_id: int):
    fround = _changeable(funding_round_id)
    form = ScenarioForm()
    if request.method == "GET":
        form.fill_parameters(fround)
    if done := submit_or_refuse(form, lambda: services.save_scenario(db.session, current_user, fround,
                                                                       form.name.data or "", form.parameters())):
        flash(_("The scenario is saved. Compare it with the current parameters."), "success")
        return redirect(url_for(".compare", funding_round_id=fround.id, a=comparison.CURRENT, b=done.result.id))
    return render_template("funding/scenario_form.html", form=form, fround=fround)


@bp.route("/<int:funding_round_id>/compare")
@login_required
def compare(funding_round_id: int):
    fround = load_round(funding_round_id)
    if fround.proposal_at is None:
        flash(_("Compute the proposal first: scenarios are compared on its snapshot of results and requests."),
              "warning")
        return redirect(round_url(fround))
    current = _("Current parameters")
    form = CompareForm(request.args)
    form.a.choices = form.b.choices = comparison.scenario_choices(fround, current)
    default_a, default_b = comparison.default_pair(fround.scenarios)
    side_a = comparison.side(fround, form.a.data or default_a, current)
    side_b = comparison.side(fround, form.b.data or default_b, current)
    if side_a is None or side_b is None:
        abort(404)
    form.a.data, form.b.data = side_a.key, side_b.key
    return render_template("funding/compare.html", fround=fround, form=form,
                           data=comparison.compare(fround, side_a, side_b))


@bp.route("/<int:funding_round_id>/scenarios/<int:scenario_id>/adopt", methods=["POST"])
@login_required
def adopt(funding_round_id: int, scenario_id: int):
    fround = load_round(funding_round_id)
    scenario = _child_or_404(FundingScenario, scenario_id, fround, lambda s: s.funding_round_id)
    return post_button(fround, perm.can_change_allocation(current_user, fround),
                       lambda: services.adopt_scenario(db.session, current_user, fround, scenario),
                       _("The scenario is adopted: the proposal now uses its parameters."))


@bp.route("/<int:funding_round_id>/scenarios/<int:scenario_id>/delete", methods=["POST"])
@login_required
def delete_scenario(funding_round_id: int, scenario_id: int):
    fround = load_round(funding_round_id)
    scenario = _child_or_404(FundingScenario, scenario_id, fround, lambda s: s.funding_round_id)
    return post_button(fround, perm.can_change_allocation(current_user, fround),
                       lambda: services.delete_scenario(db.session, current_user, fround, scenario),
                       _("The scenario is deleted."))


# -- adjustments and facilities added by hand -------------------------------------------------------------------

@bp.route("/<int:funding_round_id>/lines/<int:line_id>/adjust", methods=["GET", "POST"])
@login_required
def adjust(funding_round_id: int, line_id: int):
    fround = _changeable(funding_round_id)
    line = _child_or_404(AllocationLine, line_id, fround, lambda ln: ln.funding_facility.funding_round_id)
    form = AdjustForm()
    if request.method == "GET":
        form.amount.data, form.reason.data, form.version.data = typed_amount(line.amount_vnd), line.reason, line.version
    done = submit_or_refuse(form, lambda: services.adjust(db.session, current_user, fround, line.id,
                                                          form.amount.data or "", form.reason.data or "",
                                                          form.version_number()))
    if done:
        flash(_("The amount of %(facility)s is adjusted.", facility=line.funding_facility.facility.code), "success")
        return redirect(round_url(fround, f"facility-{line.funding_facility.facility_id}"))
    db.session.refresh(line)
    if stale_message() in form.form_errors:
        form.form_errors.append(_("The amount stored now is %(amount)s.", amount=labels.vnd(line.amount_vnd)))
        form.version.data = line.version
    table = queries.allocation_table(db.session, fround, with_per_point=False)
    return render_template("funding/adjust.html", form=form, fround=fround, line=line, table=table,
                           row=table.row(line.funding_facility.facility_id))


@bp.route("/<int:funding_round_id>/apart/<int:funding_facility_id>/add", methods=["GET", "POST"])
@login_required
def add_facility(funding_round_id: int, funding_facility_id: int):
    fround = _changeable(funding_round_id)
    ff = _child_or_404(FundingFacility, funding_facility_id, fround, lambda f: f.funding_round_id)
    form = ReasonForm()
    if submit_or_refuse(form, lambda: services.add_by_hand(db.session, current_user, fround, ff,
                                                           form.reason.data or "")):
        flash(_("%(facility)s is added: adjust its amounts, with a reason.", facility=ff.facility.code), "success")
        return redirect(round_url(fround, f"facility-{ff.facility_id}"))
    return render_template("funding/reason_form.html", form=form, fround=fround,
                           title=_("Add %(facility)s by hand", facility=ff.facility.code + " · " + ff.facility.name),
                           warning=_("This facility has no finalised agreed result, so the rule gives it nothing. "
                                     "Added by hand, it can receive amounts you set, with a reason, up to its "
                                     "request."),
                           button=_("Add the facility"))
