"""Filling one area of an assessment's score sheet, shared by the self-assessment and the
peer-assessment pages: load the scores, build and validate the area form, save through
:func:`shelterassess.assessments.services.save_area`, and say what the page shows next.

The view checks who may see and edit the assessment; this module only coordinates the form.
The browser keeps unsaved answers per indicator (``static/js/app.js``); after a save the next
area page tells it which score versions the save produced (:func:`_remember_save`), so it
clears exactly the drafts that were saved.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from typing import Any

from flask import abort, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shelterassess.assessments import queries, services
from shelterassess.assessments.forms import EVIDENCE_LABELS, area_form_class, area_form_data, saved_answer
from shelterassess.assessments.models import Assessment, AssessmentKind, Score
from shelterassess.auth import permissions as perm
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.scoresheets.models import Area, Indicator
from shelterassess.web.access import require
from shelterassess.web.params import int_or_none


def stale_message(codes: list[str]) -> str:
    """The warning shown when someone else saved the same answers in the meantime."""
    return _("Someone else changed %(codes)s since you opened this page. Your answers are still in the form; "
             "their saved answers are shown under each indicator. Save again to keep yours.", codes=", ".join(codes))


def load_area(assessment: Assessment, area_id: int) -> Area:
    """An area of the assessment's score sheet with its indicators (one statement), or 404. A GET
    loads their level descriptors too; a POST does not need them unless it shows the page again
    (:func:`fill_area` loads them then)."""
    indicators = joinedload(Area.indicators)
    if request.method == "POST":
        indicators = indicators.lazyload(Indicator.levels)
    area = db.session.scalars(select(Area).where(Area.id == area_id).options(indicators)).unique().first()
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
    ``overview`` take ``assessment_id``). A POST needs ``editable``; the save commits once.

    A POST to an assessment that became read-only since the page was opened (submitted, or its
    round closed) is not an access error for someone who could edit it as a draft: the page
    says why nothing was saved and shows what they typed, so they can copy it.

    The scores are read once per request: a GET reads them for the form; a POST leaves them to
    the save, which reads the area's scores after its lock, and reads them (afresh) only to show
    the page again when nothing was saved."""
    area_id = area.id
    scores: dict[int, Score] | None = None
    form_class = area_form_class(area)
    if request.method == "POST":
        form = form_class()
    else:
        scores = queries.scores_by_indicator(db.session, assessment)
        form = form_class(data=area_form_data(area, scores))
    conflicts: list[str] = []
    refused_read_only = False
    if request.method == "POST" and not editable:
        require(could_edit_as_draft(current_user, assessment))
        refused_read_only = True
    elif request.method == "POST":
        if form.validate_on_submit() and posted_in_full(form, [
                name for ind in area.indicators for name in (f"note-{ind.id}", f"version-{ind.id}")]):
            outcome = _save(assessment, area, form)
            if outcome is None:
                return AreaPage(redirect_to=_after_save_target(assessment, area_id, blueprint))
            conflicts = outcome
            scores = queries.scores_by_indicator(db.session, assessment)
            for ind in area.indicators:  # the next save deliberately replaces the other copy
                form[f"version-{ind.id}"].data = str(scores[ind.id].version)
    if request.method == "POST":  # nothing was saved: the page again, with what is stored now
        queries.load_indicator_levels(db.session, area_id)
        if scores is None:
            scores = queries.scores_by_indicator(db.session, assessment)
    result = queries.compute_score(db.session, assessment, scores)
    return AreaPage(context=dict(
        assessment=assessment, area=area, form=form, scores=scores, editable=editable, result=result,
        conflicts=conflicts, progress={int(a.key): a for a in result.areas}, evidence_labels=EVIDENCE_LABELS,
        fill_endpoint=f"{blueprint}.fill_area",
        read_only_notice=None if editable else read_only_message(assessment),
        refused_read_only=refused_read_only,
        saved_answers={ind.id: saved_answer(scores[ind.id]) for ind in area.indicators},
        confirmed_versions=_confirmed_save(assessment) if editable and request.method == "GET" else {},
        note_max=services.NOTE_MAX_LENGTH, answered_texts=_answered_texts(len(area.indicators)),
    ))


def posted_in_full(form, names: list[str]) -> bool:
    """Whether the POST holds every field in ``names`` (each ``version-…`` a number). If not, the
    form gets the "does not match" message and nothing is saved: a form missing an indicator's
    fields (an old page, a hand-made request) would otherwise blank that indicator's answer.
    (Radio buttons and checkboxes are left out of ``names``: browsers omit them when unticked.)"""
    missing = [n for n in names if n not in request.form
               or (n.startswith("version-") and int_or_none(request.form[n]) is None)]
    if missing:
        form.form_errors.append(services.form_mismatch_message())
    return not missing


def _answered_texts(total: int) -> list[str]:
    """"n of total answered" for every n, for the live counter of the page's script."""
    return [_("%(answered)d of %(total)d answered in this area", answered=n, total=total) for n in range(total + 1)]


class _OpenRound:
    """A round as it would be if it were open."""

    is_open = True

    def __init__(self, round_: Any):
        self._round = round_

    def __getattr__(self, name: str) -> Any:
        return getattr(self._round, name)


class _AsOpenDraft:
    """An assessment as it would be if it were a draft in an open round (for asking the predicates)."""

    is_submitted = False

    def __init__(self, assessment: Assessment):
        self._assessment = assessment
        self.round = _OpenRound(assessment.round)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._assessment, name)


def could_edit_as_draft(user: Any, assessment: Assessment) -> bool:
    """Whether ``user`` could edit ``assessment`` were it still a draft in an open round: the same
    predicates as the views use (:func:`perm.can_edit_assessment`, :func:`perm.can_edit_peer_assessment`)."""
    draft = _AsOpenDraft(assessment)
    if assessment.kind == AssessmentKind.SELF.value:
        return perm.can_edit_assessment(user, draft)
    if assessment.kind == AssessmentKind.PEER.value:
        return perm.can_edit_peer_assessment(user, draft)
    return False


def read_only_message(assessment: Assessment) -> str:
    """Why the area page cannot be changed."""
    peer = assessment.kind == AssessmentKind.PEER.value
    if assessment.is_submitted:
        return (_("This peer assessment was submitted; it is read-only now.") if peer
                else _("This self-assessment was submitted; it is read-only now."))
    if not assessment.round.is_open:
        return _("The round is closed; this assessment is read-only now.")
    return _("You can read this assessment but not change it.")


#: Session key: the assessment and the score versions of the area saved last (see module docstring).
SAVED_VERSIONS_KEY = "area_saved_versions"


def _remember_save(assessment_id: int, versions: dict[int, int]) -> None:
    """Note the versions the save produced (indicator id -> score version) for the next area page."""
    session[SAVED_VERSIONS_KEY] = {"assessment": assessment_id,
                                   "versions": {str(ind_id): version for ind_id, version in versions.items()}}


def _confirmed_save(assessment: Assessment) -> dict[str, int]:
    """The score versions of the last save in this assessment, said once (then forgotten)."""
    saved = session.get(SAVED_VERSIONS_KEY)
    if not saved or saved.get("assessment") != assessment.id:
        return {}
    session.pop(SAVED_VERSIONS_KEY)
    return saved.get("versions") or {}


def _save(assessment: Assessment, area: Area, form) -> list[str] | None:
    """None when saved; the codes changed by someone else when the save was refused as stale."""
    assessment_id = assessment.id
    try:
        saved = services.save_area(db.session, current_user, assessment, area, form.answer_inputs(area))
        versions = {ind_id: score.version for ind_id, score in saved.items()}  # as flushed, before the commit
    except ValidationFailed as failure:
        db.session.rollback()
        form.populate_errors(failure)
        return []
    except StaleData as stale:
        db.session.rollback()
        flash(stale_message(stale.what), "warning")
        return stale.what
    db.session.commit()
    _remember_save(assessment_id, versions)
    flash(_("Saved."), "success")
    return None


def _after_save_target(assessment: Assessment, area_id: int, blueprint: str) -> str:
    if request.form.get("next") == "area":
        area_ids = queries.area_ids_in_order(db.session, assessment.round.sheet_id)
        index = area_ids.index(area_id)
        if index + 1 < len(area_ids):
            return url_for(f"{blueprint}.fill_area", assessment_id=assessment.id, area_id=area_ids[index + 1], saved=1)
        return url_for(f"{blueprint}.overview", assessment_id=assessment.id, saved=area_id)
    return url_for(f"{blueprint}.fill_area", assessment_id=assessment.id, area_id=area_id, saved=1)
