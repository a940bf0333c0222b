"""Filling one area of an assessment's score sheet, shared by the self-assessment and the
peer-assessment pages: load the scores, build and validate the area form, save through
:func:`shelterassess.assessments.services.save_area`, and say what the page shows next.

The view checks who may see and edit the assessment; this module only coordinates the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shelterassess.assessments import queries, services
from shelterassess.assessments.forms import EVIDENCE_LABELS, area_form_class, area_form_data
from shelterassess.assessments.models import Assessment
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.scoresheets.models import Area
from shelterassess.web.access import require


def stale_message(codes: list[str]) -> str:
    """The warning shown when someone else saved the same answers in the meantime."""
    return _("Someone else changed %(codes)s since you opened this page. Your answers are still in the form; "
             "their saved answers are shown under each indicator. Save again to keep yours.", codes=", ".join(codes))


def load_area(assessment: Assessment, area_id: int) -> Area:
    """An area of the assessment's score sheet, or 404."""
    area = db.session.get(Area, area_id)
    if area is None or area.sheet_id != assessment.round.sheet_id:
        abort(404)
    return area


@dataclass
class AreaPage:
    """Where to go after a successful save (``redirect_to``), or what the area page renders."""

    redirect_to: str | None = None
    context: dict = field(default_factory=dict)


def fill_area(assessment: Assessment, area: Area, *, editable: bool, blueprint: str) -> AreaPage:
    """Handle a GET or POST of the area page of ``blueprint`` (its endpoints ``fill_area`` and
    ``overview`` take ``assessment_id``). A POST needs ``editable``; the save commits once."""
    scores = queries.scores_by_indicator(db.session, assessment)
    form_class = area_form_class(area)
    form = form_class() if request.method == "POST" else form_class(data=area_form_data(area, scores))
    conflicts: list[str] = []
    if request.method == "POST":
        require(editable)
        if form.validate_on_submit():
            outcome = _save(assessment, area, form)
            if outcome is None:
                return AreaPage(redirect_to=_after_save_target(assessment, area, blueprint))
            conflicts = outcome
            scores = queries.scores_by_indicator(db.session, assessment)
            for ind in area.indicators:  # the next save deliberately replaces the other copy
                form[f"version-{ind.id}"].data = str(scores[ind.id].version)
    result = queries.compute_score(db.session, assessment, scores)
    return AreaPage(context=dict(
        assessment=assessment, area=area, form=form, scores=scores, editable=editable, result=result,
        conflicts=conflicts, progress={int(a.key): a for a in result.areas}, evidence_labels=EVIDENCE_LABELS,
        fill_endpoint=f"{blueprint}.fill_area",
    ))


def _save(assessment: Assessment, area: Area, form) -> list[str] | None:
    """None when saved; the codes changed by someone else when the save was refused as stale."""
    try:
        services.save_area(db.session, current_user, assessment, area, form.answer_inputs(area))
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
        return []
    except StaleData as stale:
        db.session.rollback()
        flash(stale_message(stale.what), "warning")
        return stale.what
    db.session.commit()
    flash(_("Saved."), "success")
    return None


def _after_save_target(assessment: Assessment, area: Area, blueprint: str) -> str:
    if request.form.get("next") == "area":
        areas = assessment.round.sheet.areas
        index = [a.id for a in areas].index(area.id)
        if index + 1 < len(areas):
            return url_for(f"{blueprint}.fill_area", assessment_id=assessment.id, area_id=areas[index + 1].id, saved=1)
        return url_for(f"{blueprint}.overview", assessment_id=assessment.id, saved=area.id)
    return url_for(f"{blueprint}.fill_area", assessment_id=assessment.id, area_id=area.id, saved=1)
