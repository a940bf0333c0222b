"""Facilities: everyone logged in sees the list; admins create and edit them."""
from __future__ import annotations

import unicodedata

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments import queries as assessment_queries
from shelterassess.auth import permissions as perm
from shelterassess.comparisons import queries as comparison_queries
from shelterassess.extensions import db
from shelterassess.facilities import queries, services
from shelterassess.facilities.forms import FACILITY_TYPE_LABELS, FacilityForm
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.web.access import get_or_404, require, visible_or_404
from shelterassess.web.pagination import paginate

bp = Blueprint("facilities", __name__, url_prefix="/facilities")


def _sort_key(text: str) -> str:
    """Alphabetical order that ignores Vietnamese diacritics (Đ sorts with D)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).casefold()


def _provinces() -> list[tuple[int, str]]:
    names = [(p.id, localized(p, "name")) for p in queries.all_provinces(db.session)]
    return sorted(names, key=lambda item: _sort_key(item[1]))


@bp.route("/")
@login_required
def index():
    require(perm.can_list_facilities(current_user))
    filters = queries.FacilityFilter.from_args(request.args)
    page = paginate(db.session, queries.facilities_query(filters), request.args)
    return render_template("facilities/index.html", page=page, facilities=page.items, filters=filters,
                           provinces=_provinces(), type_labels=FACILITY_TYPE_LABELS)


@bp.route("/<int:facility_id>")
@login_required
def detail(facility_id: int):
    facility = db.session.get(Facility, facility_id)
    visible_or_404(facility, facility is not None and perm.can_view_facility(current_user, facility))
    show_assessments = perm.can_view_all_assessments(current_user) or perm.is_facility_member(current_user, facility.id)
    assessments = assessment_queries.facility_self_assessments(db.session, facility.id) if show_assessments else []
    comparison_rounds = [
        r for r in comparison_queries.assessed_rounds(db.session, facility.id)
        if perm.can_view_comparison(current_user, facility, r,
                                    comparison_queries.comparison_context(db.session, facility.id, r.id))
    ]
    return render_template("facilities/detail.html", facility=facility, type_labels=FACILITY_TYPE_LABELS,
                           show_assessments=show_assessments, assessments=assessments,
                           comparison_rounds=comparison_rounds)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(perm.can_manage_facilities(current_user))
    return _edit_form(FacilityForm(), None)


@bp.route("/<int:facility_id>/edit", methods=["GET", "POST"])
@login_required
def edit(facility_id: int):
    require(perm.can_manage_facilities(current_user))
    facility = get_or_404(Facility, facility_id)
    return _edit_form(FacilityForm(obj=facility), facility)


def _edit_form(form: FacilityForm, facility: Facility | None):
    form.province_id.choices = [("", _("— choose a province —"))] + _provinces()
    if done := form.submit_to(lambda: services.save_facility(db.session, form.to_input(), facility)):
        flash(_("Facility %(code)s saved.", code=done.result.code), "success")
        return redirect(url_for(".detail", facility_id=done.result.id))
    return render_template("facilities/form.html", form=form, facility=facility)
