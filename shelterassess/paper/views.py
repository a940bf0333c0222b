"""Paper sheet pages: the sheet's status (entries and resolution), typing an entry, and
resolving the differences between the two entries; for an assessment (self, peer) under
``/paper/assessments/<id>`` and for a follow-up visit under ``/paper/visits/<id>`` (the same pages
and flow, see :class:`~shelterassess.paper.sheets.PaperSheet`), plus the visit's blank sheet PDF.

Who can see the assessment (visit) but not edit it gets a 403 (the national team); who cannot
see it gets a 404. Whoever could edit it as a draft sees the pages of a submitted one, and each
save is refused with the usual read-only message.
"""
from __future__ import annotations

import dataclasses
import re
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.area_form import read_only_message
from shelterassess.assessments.forms import EVIDENCE_LABELS
from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.assessments.services import NOTE_MAX_LENGTH
from shelterassess.extensions import db
from shelterassess.followups.models import FollowUpVisit
from shelterassess.i18n import current_language, supported_locales
from shelterassess.paper import domain, services
from shelterassess.paper import permissions as paper_perm
from shelterassess.paper.forms import CHOICE_LABELS, entry_form_class, resolve_form_class
from shelterassess.paper.sheets import PaperSheet
from shelterassess.reports.data import blank_sheet_report
from shelterassess.reports.renderers.blank_sheet import BlankSheetRenderer
from shelterassess.web.access import require, visible_or_404

bp = Blueprint("paper", __name__, url_prefix="/paper")

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _load(assessment_id: int) -> PaperSheet:
    assessment = db.session.get(Assessment, assessment_id)
    visible_or_404(assessment, assessment is not None and paper_perm.can_view_for_paper(current_user, assessment))
    require(paper_perm.could_enter_paper_sheet(current_user, assessment))
    return PaperSheet(assessment)


def _load_visit(visit_id: int, could_enter: bool = True) -> PaperSheet:
    visit = db.session.get(FollowUpVisit, visit_id)
    visible_or_404(visit, visit is not None and visit.assessment is not None
                   and paper_perm.can_view_visit_for_paper(current_user, visit))
    if could_enter:
        require(paper_perm.could_enter_visit_paper_sheet(current_user, visit))
    return PaperSheet.of_visit(visit)


def overview_url(assessment: Assessment) -> str:
    endpoint = "peer.overview" if assessment.kind == AssessmentKind.PEER.value else "assessments.overview"
    return url_for(endpoint, assessment_id=assessment.id)


def _urls(sheet: PaperSheet) -> dict[str, str]:
    """The sheet's pages (``sheet``, ``entry``, ``resolve``), where to go back, the blank PDF."""
    if sheet.visit is not None:
        key = dict(visit_id=sheet.visit.id)
        pages = {page: url_for(f".visit_{page}", **key) for page in ("sheet", "entry", "resolve")}
        return dict(pages, back=url_for("followups.visit", visit_id=sheet.visit.id),
                    blank=url_for(".visit_blank_sheet", **key))
    a = sheet.assessment
    pages = {page: url_for(f".{page}", assessment_id=a.id) for page in ("sheet", "entry", "resolve")}
    return dict(pages, back=overview_url(a),
                blank=url_for("reports.blank_sheet", facility_id=a.facility_id, round_id=a.round_id))


def _editable(sheet: PaperSheet) -> bool:
    if sheet.visit is not None:
        return paper_perm.can_enter_visit_paper_sheet(current_user, sheet.visit)
    return paper_perm.can_enter_paper_sheet(current_user, sheet.assessment)


def _read_only_notice(sheet: PaperSheet) -> str:
    if sheet.visit is not None:
        return _("This visit was submitted; it is read-only.")
    return read_only_message(sheet.assessment)


def _round_label(sheet: PaperSheet) -> str:
    name = sheet.assessment.round.name
    return _("%(round)s, follow-up visit", round=name) if sheet.visit is not None else name


def _common(sheet: PaperSheet) -> dict:
    editable = _editable(sheet)
    return dict(assessment=sheet.assessment, visit=sheet.visit, urls=_urls(sheet), round_label=_round_label(sheet),
                editable=editable, read_only_notice=None if editable else _read_only_notice(sheet),
                evidence_labels=EVIDENCE_LABELS, display_code=domain.display_code)


# -- assessments (self, peer) ------------------------------------------------------------------

@bp.route("/assessments/<int:assessment_id>")
@login_required
def sheet(assessment_id: int):
    return _sheet_page(_load(assessment_id))


@bp.route("/assessments/<int:assessment_id>/entry", methods=["GET", "POST"])
@login_required
def entry(assessment_id: int):
    return _entry_page(_load(assessment_id))


@bp.route("/assessments/<int:assessment_id>/resolve", methods=["GET", "POST"])
@login_required
def resolve(assessment_id: int):
    return _resolve_page(_load(assessment_id))


# -- follow-up visits --------------------------------------------------------------------------

@bp.route("/visits/<int:visit_id>")
@login_required
def visit_sheet(visit_id: int):
    return _sheet_page(_load_visit(visit_id))


@bp.route("/visits/<int:visit_id>/entry", methods=["GET", "POST"])
@login_required
def visit_entry(visit_id: int):
    return _entry_page(_load_visit(visit_id))


@bp.route("/visits/<int:visit_id>/resolve", methods=["GET", "POST"])
@login_required
def visit_resolve(visit_id: int):
    return _resolve_page(_load_visit(visit_id))


@bp.route("/visits/<int:visit_id>/blank.pdf")
@login_required
def visit_blank_sheet(visit_id: int):
    """The blank score sheet the team takes on the visit: the indicators it re-scores only, with
    the visit's check code (the facility's full blank sheet carries the self-assessment's code)."""
    paper_sheet = _load_visit(visit_id, could_enter=False)
    language = request.args.get("lang")
    language = language if language in supported_locales() else current_language()
    a = paper_sheet.assessment
    codes = {ind.code for ind in paper_sheet.indicators()}
    with force_locale(language):
        report = blank_sheet_report(db.session, a.facility, a.round, language)
        areas = tuple(dataclasses.replace(area, indicators=tuple(i for i in area.indicators if i.code in codes))
                      for area in report.areas)
        report = dataclasses.replace(report, areas=tuple(area for area in areas if area.indicators),
                                     round_name=_round_label(paper_sheet),
                                     check_code=domain.display_code(paper_sheet.expected_code))
        pdf = BlankSheetRenderer().render(report)
    code = _UNSAFE.sub("-", a.facility.code).strip("-") or "facility"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"follow-up-sheet-{code}-visit{visit_id}.pdf")


# -- the pages -----------------------------------------------------------------------------------

def _sheet_page(paper_sheet: PaperSheet):
    existing = services.entries(db.session, paper_sheet)
    record = services.resolution(db.session, paper_sheet)
    context = _common(paper_sheet)
    if record is not None:
        context.update(indicators=paper_sheet.indicators(), kept={row.indicator_id: row for row in record.answers},
                       written=services.written_indicator_ids(record), sources=_source_labels())
    return render_template("paper/sheet.html", entries=existing, record=record,
                           next_number=services.next_number(existing, record is not None), **context)


def _entry_page(paper_sheet: PaperSheet):
    urls = _urls(paper_sheet)
    existing = services.entries(db.session, paper_sheet)
    number = services.next_number(existing, services.resolution(db.session, paper_sheet) is not None)
    if number is None:
        flash(_("Both entries of this paper sheet are saved already."), "info")
        return redirect(urls["sheet"])
    indicators = paper_sheet.indicators()
    form = entry_form_class(indicators)()
    if request.method == "GET":
        form.entry_number.data = str(number)  # blind: entry 2 starts as empty as entry 1 did
    else:
        posted = form.entry_number.data or ""
        if posted not in ("1", "2"):
            form.form_errors.append(_("The form does not match this score sheet. Reload the page."))
        elif done := form.submit_to(lambda: services.save_entry(
                db.session, current_user, paper_sheet, int(posted), form.check_code.data, form.answers(indicators))):
            return _after_entry(urls, done.result.number)
    same_person = number == 2 and domain.second_entry_refused(existing[1].entered_by_id, current_user.id)
    shown = int(form.entry_number.data) if form.entry_number.data in ("1", "2") else number
    return render_template("paper/entry.html", form=form, number=shown, same_person=same_person,
                           same_person_message=services.same_person_message(), groups=paper_sheet.groups(),
                           note_max=NOTE_MAX_LENGTH, **_common(paper_sheet))


def _after_entry(urls: dict[str, str], number: int):
    if number == 1:
        flash(_("Entry 1 is saved. A colleague now types the same paper sheet in again, without looking at "
                "this entry."), "success")
        return redirect(urls["sheet"])
    flash(_("Entry 2 is saved. Compare the two entries and resolve their differences."), "success")
    return redirect(urls["resolve"])


def _resolve_page(paper_sheet: PaperSheet):
    urls = _urls(paper_sheet)
    existing = services.entries(db.session, paper_sheet)
    if services.resolution(db.session, paper_sheet) is not None or len(existing) < 2:
        if len(existing) < 2:
            flash(_("Both entries are needed before they can be compared."), "info")
        return redirect(urls["sheet"])
    indicators = paper_sheet.indicators()
    by_id = {ind.id: ind for ind in indicators}
    first, second = services.answers_of(existing[1]), services.answers_of(existing[2])
    differences = domain.compare(list(by_id), first, second)
    differing = [by_id[d.indicator_id] for d in differences]
    form = resolve_form_class(differing)()
    if request.method == "POST" and form.submit_or_refuse_stale(
            lambda: services.resolve(db.session, current_user, paper_sheet, form.choices(differing)),
            lambda: _stale_message(paper_sheet)):
        if paper_sheet.visit is not None:
            flash(_("The paper sheet is resolved; its scores are saved into the follow-up visit."), "success")
        else:
            flash(_("The paper sheet is resolved; its answers are saved into the assessment."), "success")
        return redirect(urls["sheet"])
    return render_template("paper/resolve.html", form=form, entries=existing, differences=differences, by_id=by_id,
                           agreeing=len(indicators) - len(differences), choice_labels=CHOICE_LABELS,
                           note_max=NOTE_MAX_LENGTH, **_common(paper_sheet))


def _stale_message(paper_sheet: PaperSheet) -> str:
    if paper_sheet.visit is not None:
        return _("Someone else saved this follow-up visit at the same moment. Nothing was saved; try again.")
    return _("Someone else changed this assessment at the same moment. Nothing was saved; try again.")


def _source_labels() -> dict[str, str]:
    return {domain.BOTH: _("both entries agreed"), domain.FIRST: _("entry 1"), domain.SECOND: _("entry 2"),
            domain.OTHER: _("another answer")}
