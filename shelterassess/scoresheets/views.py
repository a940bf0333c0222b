"""Score-sheet versions: everyone reads them; admins copy, edit drafts, publish, delete."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.forms import EVIDENCE_LABELS, EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.i18n import current_language
from shelterassess.scoresheets import queries, services
from shelterassess.scoresheets.crosswalk_data import crosswalk_page, relation_label
from shelterassess.scoresheets.forms import IndicatorForm, indicator_form_data
from shelterassess.scoresheets.models import Indicator, ScoreSheetVersion
from shelterassess.web.forms import commit_or_flash
from shelterassess.web.access import get_or_404, require

bp = Blueprint("scoresheets", __name__, url_prefix="/scoresheets")


def _load(sheet_id: int) -> ScoreSheetVersion:
    sheet = queries.sheet_with_content(db.session, sheet_id)
    if sheet is None:
        abort(404)
    return sheet


@bp.route("/")
@login_required
def index():
    require(perm.can_view_scoresheets(current_user))
    return render_template("scoresheets/index.html", versions=queries.all_versions(db.session),
                           counts=queries.content_counts(db.session), form=EmptyForm())


@bp.route("/<int:sheet_id>")
@login_required
def detail(sheet_id: int):
    require(perm.can_view_scoresheets(current_user))
    sheet = _load(sheet_id)
    bilingual = perm.can_manage_scoresheets(current_user) and not sheet.is_published
    return render_template("scoresheets/detail.html", sheet=sheet, bilingual=bilingual,
                           evidence_labels=EVIDENCE_LABELS, form=EmptyForm(), crosswalk_label=relation_label)


@bp.route("/<int:sheet_id>/crosswalk")
@login_required
def crosswalk(sheet_id: int):
    """How this version's indicators relate to the version before it, both ways."""
    require(perm.can_view_scoresheets(current_user))
    sheet = _load(sheet_id)
    page = crosswalk_page(db.session, sheet, current_language())
    return render_template("scoresheets/crosswalk.html", sheet=sheet, page=page)


@bp.route("/<int:sheet_id>/copy", methods=["POST"])
@login_required
def copy(sheet_id: int):
    require(perm.can_manage_scoresheets(current_user))
    source = _load(sheet_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".index"))
    draft = services.create_draft_copy(db.session, source)
    db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    flash(_("Draft version %(version)d created. Edit its indicators, then publish it.", version=draft.version),
          "success")
    return redirect(url_for(".detail", sheet_id=draft.id))


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(indicator_id: int):
    require(perm.can_manage_scoresheets(current_user))
    indicator = get_or_404(Indicator, indicator_id)
    sheet = indicator.area.sheet
    try:
        services.ensure_draft(sheet)
    except ValidationFailed as failure:
        flash(failure.reasons[0][1], "error")
        return redirect(url_for(".detail", sheet_id=sheet.id, _anchor=f"ind-{indicator.code}"))
    form = IndicatorForm(data=indicator_form_data(indicator))
    if form.submit_to(lambda: services.update_indicator(db.session, indicator, form.values())):
        flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
        return redirect(url_for(".detail", sheet_id=sheet.id, _anchor=f"ind-{indicator.code}"))
    return render_template("scoresheets/indicator_form.html", form=form, indicator=indicator, sheet=sheet)


@bp.route("/<int:sheet_id>/publish", methods=["POST"])
@login_required
def publish(sheet_id: int):
    return _change(sheet_id, services.publish_version, _("The version is published. It can no longer be changed."))


@bp.route("/<int:sheet_id>/delete", methods=["POST"])
@login_required
def delete(sheet_id: int):
    return _change(sheet_id, services.delete_draft, _("The draft version was deleted."), back_to_index=True)


def _change(sheet_id: int, action, message: str, back_to_index: bool = False):
    require(perm.can_manage_scoresheets(current_user))
    sheet = _load(sheet_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".detail", sheet_id=sheet_id))
    if not commit_or_flash(lambda: action(db.session, sheet)):
        return redirect(url_for(".detail", sheet_id=sheet_id))
    flash(message, "success")
    return redirect(url_for(".index") if back_to_index else url_for(".detail", sheet_id=sheet_id))
