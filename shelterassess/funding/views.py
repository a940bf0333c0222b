"""Funding rounds: the list, creating one, its page (the allocation table, money per point, the
latest changes) and its whole history page by page, its parameters, approval and reopening, the
exports, and one facility's allocation with its letter. The proposal, scenarios and adjustments:
:mod:`.views_proposal`."""
from __future__ import annotations

import re
from io import BytesIO
from typing import Callable, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.funding import exports, labels, queries, report_data, services
from shelterassess.funding.forms import FundingRoundForm, ReasonForm, typed_amount
from shelterassess.funding.models import FundingRound
from shelterassess.funding.round_page import allocation_page
from shelterassess.i18n import current_language, supported_locales
from shelterassess.reports.renderers.allocation_letter import AllocationLetterRenderer
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.downloads import csv_response, xlsx_response
from shelterassess.web.forms import BaseForm, Committed, commit_or_refuse_stale
from shelterassess.web.pagination import page_size, paginate

bp = Blueprint("funding", __name__, url_prefix="/funding")
bp.add_app_template_global(labels, "funding_labels")
bp.add_app_template_filter(labels.weight, "need_weight")
T = TypeVar("T")
#: Changes the round page shows (newest first); the history page holds them all.
LATEST_EVENTS = 10
#: Changes per page of the history page (at most): a change may carry a reason of 1,000 characters.
HISTORY_PAGE_SIZE = 25
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


# -- helpers shared with views_proposal --------------------------------------------------------------

def load_round(funding_round_id: int) -> FundingRound:
    """The funding round, for the national team only (403 for everyone else)."""
    require(perm.can_manage_funding(current_user))
    return get_or_404(FundingRound, funding_round_id)


def round_url(fround: FundingRound, anchor: str | None = None) -> str:
    return url_for("funding.funding_round", funding_round_id=fround.id, _anchor=anchor)


def stale_message() -> str:
    return _("Someone else changed this funding round at the same moment. Nothing was saved: check the page "
             "and try again.")


def commit_or_refuse(action: Callable[[], T]) -> Committed[T] | None:
    return commit_or_refuse_stale(action, stale_message)


def submit_or_refuse(form: BaseForm, action: Callable[[], T]) -> Committed[T] | None:
    return form.submit_or_refuse_stale(action, stale_message)


def post_button(fround: FundingRound, allowed: bool, action: Callable[[], object], message: str):
    require(allowed)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_refuse(action):
        flash(message, "success")
    return redirect(round_url(fround))


# -- lists and the round page ---------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(perm.can_view_funding(current_user))
    national = perm.can_manage_funding(current_user)
    page = paginate(db.session, queries.funding_rounds_query(), request.args) if national else None
    return render_template(
        "funding/index.html", national=national, page=page,
        rounds=page.items if page else [],
        own=queries.facility_allocations(db.session, current_user.facility_id) if current_user.facility_id else [])


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(perm.can_manage_funding(current_user))
    form = FundingRoundForm()
    rounds = db.session.scalars(db.select(Round).order_by(Round.created_at.desc(), Round.id.desc())).all()
    form.round_id.choices = [(str(r.id), r.name) for r in rounds]
    if request.method == "GET":
        form.rounding_unit.data = typed_amount(current_app.config["FUNDING_DEFAULT_ROUNDING_UNIT_VND"])
        form.red_flag_weight.data = str(current_app.config["FUNDING_DEFAULT_RED_FLAG_WEIGHT"])
    if done := submit_or_refuse(form, lambda: services.create_funding_round(db.session, current_user,
                                                                              form.to_input())):
        flash(_("The funding round is created. Compute the proposal when the plans are accepted."), "success")
        return redirect(round_url(done.result))
    return render_template("funding/round_form.html", form=form, fround=None)


@bp.route("/<int:funding_round_id>")
@login_required
def funding_round(funding_round_id: int):
    fround = load_round(funding_round_id)
    table, page, apart_page = allocation_page(db.session, fround, request.args)
    latest = paginate(db.session, queries.events_query(fround.id), {}, size=LATEST_EVENTS)
    return render_template("funding/round.html", fround=fround, table=table, page=page, apart_page=apart_page,
                           history=labels.history(latest.items[::-1]), history_total=latest.total)


@bp.route("/<int:funding_round_id>/history")
@login_required
def history(funding_round_id: int):
    """Every change of the funding round, newest first, one page at a time."""
    fround = load_round(funding_round_id)
    page = paginate(db.session, queries.events_query(fround.id), request.args,
                    size=min(page_size(), HISTORY_PAGE_SIZE))
    return render_template("funding/history.html", fround=fround, page=page,
                           history=labels.history(page.items[::-1]))


@bp.route("/<int:funding_round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(funding_round_id: int):
    fround = load_round(funding_round_id)
    require(perm.can_change_allocation(current_user, fround))
    form = FundingRoundForm()
    del form.round_id
    if request.method == "GET":
        form.fill(fround)
    if submit_or_refuse(form, lambda: services.update_funding_round(db.session, current_user, fround,
                                                                     form.to_input())):
        flash(_("The parameters are saved."), "success")
        return redirect(round_url(fround))
    return render_template("funding/round_form.html", form=form, fround=fround)


# -- approval -----------------------------------------------------------------------------------------------

@bp.route("/<int:funding_round_id>/approve", methods=["POST"])
@login_required
def approve(funding_round_id: int):
    fround = load_round(funding_round_id)
    return post_button(fround, perm.can_approve_allocation(current_user, fround),
                       lambda: services.approve(db.session, current_user, fround),
                       _("The allocation is approved and locked. Each facility now sees its amounts and letter."))


@bp.route("/<int:funding_round_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(funding_round_id: int):
    fround = load_round(funding_round_id)
    require(perm.can_reopen_allocation(current_user, fround))
    form = ReasonForm()
    if submit_or_refuse(form, lambda: services.reopen(db.session, current_user, fround, form.reason.data or "")):
        flash(_("The allocation is reopened: it can change again, and the facilities no longer see it until it is "
                "approved again."), "success")
        return redirect(round_url(fround))
    return render_template("funding/reason_form.html", form=form, fround=fround,
                           title=_("Reopen the allocation of %(name)s", name=fround.name),
                           warning=_("The facilities no longer see their allocation until it is approved again. "
                                     "Amounts and adjustments stay as they are."),
                           button=_("Reopen the allocation"))


# -- exports --------------------------------------------------------------------------------------------------

def _export_name(fround: FundingRound, extension: str) -> str:
    kind = "approved-allocation" if fround.is_approved else "proposal"
    return f"funding-{fround.id}-{kind}.{extension}"


@bp.route("/<int:funding_round_id>/allocation.csv")
@login_required
def export_csv(funding_round_id: int):
    fround = load_round(funding_round_id)
    table = queries.allocation_table(db.session, fround, with_per_point=False)
    return csv_response(exports.csv_stream(table), _export_name(fround, "csv"))


@bp.route("/<int:funding_round_id>/allocation.xlsx")
@login_required
def export_xlsx(funding_round_id: int):
    fround = load_round(funding_round_id)
    table, title = queries.allocation_table(db.session, fround, with_per_point=False), _("Allocation")
    return xlsx_response(lambda handle: exports.write_xlsx(handle, table, title), _export_name(fround, "xlsx"))


# -- one facility's allocation ------------------------------------------------------------------------------

def load_facility_allocation(funding_round_id: int, facility_id: int) -> tuple[FundingRound, Facility]:
    """404 unless the user may see this facility's allocation (no existence leak)."""
    fround, facility = db.session.get(FundingRound, funding_round_id), db.session.get(Facility, facility_id)
    visible_or_404(fround, fround is not None and facility is not None
                   and perm.can_view_facility_allocation(current_user, fround, facility_id))
    return fround, facility


@bp.route("/<int:funding_round_id>/facilities/<int:facility_id>")
@login_required
def facility(funding_round_id: int, facility_id: int):
    fround, facility_ = load_facility_allocation(funding_round_id, facility_id)
    letter = report_data.allocation_letter(db.session, fround, facility_, current_language())
    return render_template("funding/facility.html", fround=fround, facility=facility_, letter=letter)


@bp.route("/<int:funding_round_id>/facilities/<int:facility_id>/letter.pdf")
@login_required
def letter(funding_round_id: int, facility_id: int):
    fround, facility_ = load_facility_allocation(funding_round_id, facility_id)
    language = request.args.get("lang")
    language = language if language in supported_locales() else current_language()
    with force_locale(language):
        pdf = AllocationLetterRenderer().render(report_data.allocation_letter(db.session, fround, facility_,
                                                                              language))
    code = _UNSAFE.sub("-", facility_.code).strip("-") or "facility"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"allocation-letter-{code}-funding{fround.id}-{language}.pdf")
