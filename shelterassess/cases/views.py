"""The case library: ten shipped cases and local practices, searchable, linked to indicators."""
from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

from babel import Locale
from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.cases import domain, queries, services
from shelterassess.cases.forms import EmptyForm, LibraryFilterForm, PracticeForm, practice_form_data
from shelterassess.cases.models import LocalPractice
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.extensions import db
from shelterassess.facilities.queries import FacilityFilter, list_facilities
from shelterassess.i18n import current_language, localized, pick, supported_locales
from shelterassess.web.forms import commit_or_flash
from shelterassess.web.access import get_or_404, require, visible_or_404

bp = Blueprint("cases", __name__, url_prefix="/cases")


def country_name(code: str, language: str | None = None) -> str:
    return Locale.parse(language or current_language()).territories.get(code, code)


def _labels(slugs, labels) -> list[str]:
    return [pick(labels[s]) for s in slugs if s in labels]


@dataclass(frozen=True)
class ListRow:
    """One entry of the library index, case or local practice."""

    url: str
    title: str
    summary: str
    place: str
    pillars: list[str]
    themes: list[str]
    local: bool
    draft: bool


def _row(item) -> ListRow:
    if item.kind == "case":
        url, place = url_for(".case", slug=item.slug), pick(item.country)
    else:
        url, place = url_for(".practice", practice_id=item.id), item.facility_name
    return ListRow(url, pick(item.title), pick(item.summary), place,
                   _labels(item.pillars, queries.pillar_labels()), _labels(item.themes, queries.theme_labels()),
                   item.kind == "practice", item.kind == "practice" and not item.is_published)


def _filter_form(items) -> LibraryFilterForm:
    form = LibraryFilterForm(request.args)
    form.pillar.choices = [("", _("All pillars"))] + [(k, pick(v)) for k, v in queries.pillar_labels().items()]
    form.theme.choices = [("", _("All themes"))] + sorted(((k, pick(v)) for k, v in queries.theme_labels().items()),
                                                          key=lambda c: domain.normalize(c[1]))
    codes = {code for item in items for code in item.countries}
    form.country.choices = [("", _("All countries"))] + sorted(((c, country_name(c)) for c in codes),
                                                               key=lambda c: domain.normalize(c[1]))
    form.validate()
    return form


@bp.route("/")
@login_required
def index():
    require(perm.can_view_cases(current_user))
    manage = perm.can_manage_practices(current_user)
    items = [*queries.all_cases(), *(queries.practice_item(p) for p in queries.practices(db.session, include_drafts=manage))]
    form = _filter_form(items)
    chosen = {name: form[name].data if form[name].data in dict(form[name].choices) else None
              for name in ("pillar", "theme", "country")}
    found = domain.filter_items(items, **chosen)
    query = (form.q.data or "").strip()[:200]
    found = domain.search(found, query, current_language(), queries.all_labels())
    return render_template("cases/index.html", form=form, rows=[_row(item) for item in found], query=query,
                           total=len(items), filtered=bool(query or any(chosen.values())))


@bp.route("/coverage")
@login_required
def coverage():
    require(perm.can_view_cases(current_user))
    sheet = queries.current_sheet(db.session)
    indicators = {ind.key: ind for ind in sheet.indicators} if sheet else {}
    published = queries.practices(db.session)
    rows = domain.coverage(list(indicators), queries.indicator_links(),
                           [queries.practice_item(p) for p in published])
    return render_template("cases/coverage.html", sheet=sheet, rows=rows, indicators=indicators,
                           practices={p.id: p for p in published}, case_by_slug=queries.case_by_slug,
                           uncovered=sum(1 for r in rows if not r.covered))


def _load_case(slug: str) -> domain.Case:
    require(perm.can_view_cases(current_user))
    case = queries.case_by_slug(slug)
    if case is None:
        abort(404)
    return case


def _applies_to(case: domain.Case) -> list[tuple]:
    """(indicator of the current sheet, link) pairs for the case, in score-sheet order."""
    pairs = domain.indicators_for_case(case.slug, queries.indicator_links())
    sheet = queries.current_sheet(db.session)
    found = queries.indicators_by_key(db.session, sheet, [key for key, _link in pairs])
    rows = [(found[key], link) for key, link in pairs if key in found]
    return sorted(rows, key=lambda row: (row[0].area.position, row[0].position))


@bp.route("/<slug>")
@login_required
def case(slug: str):
    case = _load_case(slug)
    return render_template("cases/case.html", case=case, applies=_applies_to(case),
                           pillars=_labels(case.pillars, queries.pillar_labels()),
                           themes=_labels(case.themes, queries.theme_labels()),
                           place=domain.place_label(pick(case.country), [country_name(c) for c in case.countries]))


@bp.route("/<slug>.pdf")
@login_required
def case_pdf(slug: str):
    from shelterassess.reports.renderers.case import CaseRenderer, case_report

    case = _load_case(slug)
    lang = request.args.get("lang")
    language = lang if lang in supported_locales() else current_language()
    applies = [(ind.code, localized(ind, "text", language), pick(link.lesson, language))
               for ind, link in _applies_to(case)]
    with force_locale(language):
        pdf = CaseRenderer().render(case_report(case, language, applies, queries.all_labels(),
                                                [country_name(c, language) for c in case.countries]))
    filename = re.sub(r"[^A-Za-z0-9_-]+", "-", case.slug) + f"-{language}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=filename, as_attachment=False)


# -- local practices ------------------------------------------------------------------------

def _load_practice(practice_id: int) -> LocalPractice:
    practice = db.session.get(LocalPractice, practice_id)
    return visible_or_404(practice, practice is not None and perm.can_view_practice(current_user, practice))


@bp.route("/practices/<int:practice_id>")
@login_required
def practice(practice_id: int):
    practice = _load_practice(practice_id)
    sheet = queries.current_sheet(db.session)
    indicators = queries.indicators_by_key(db.session, sheet, list(practice.indicator_key_list))
    return render_template("cases/practice.html", practice=practice, form=EmptyForm(),
                           indicators=[indicators[k] for k in practice.indicator_key_list if k in indicators],
                           pillars=_labels(practice.pillar_list, queries.pillar_labels()),
                           themes=_labels(practice.theme_list, queries.theme_labels()))


@bp.route("/practices/new", methods=["GET", "POST"])
@login_required
def new_practice():
    require(perm.can_manage_practices(current_user))
    return _practice_form(PracticeForm(), None)


@bp.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit_practice(practice_id: int):
    require(perm.can_manage_practices(current_user))
    practice = get_or_404(LocalPractice, practice_id)
    form = PracticeForm() if request.method == "POST" else PracticeForm(data=practice_form_data(practice))
    return _practice_form(form, practice)


def _practice_form(form: PracticeForm, practice: LocalPractice | None):
    indicators = _fill_choices(form)
    if form.validate_on_submit():
        data = form.to_input(queries.theme_labels().keys(), indicators)
        try:
            if practice is None:
                practice = services.create_practice(db.session, current_user, data)
            else:
                services.update_practice(db.session, practice, data)
        except ValidationFailed as failure:
            db.session.rollback()
            form.populate_errors(failure)
        except StaleData:
            db.session.rollback()
            form.form_errors.append(_("Someone else saved this practice since you opened it. Your text is still "
                                      "in the form; copy what you need, then reload the page."))
        else:
            db.session.commit()
            flash(_("Practice saved."), "success")
            return redirect(url_for(".practice", practice_id=practice.id))
    return render_template("cases/practice_form.html", form=form, practice=practice)


def _fill_choices(form: PracticeForm) -> list[str]:
    """Set the form's choices; returns the indicator keys offered."""
    facilities = list_facilities(db.session, FacilityFilter(active="all"))
    form.facility_id.choices = [(0, _("— choose a facility —"))] + [(f.id, f"{f.code} – {f.name}") for f in facilities]
    form.pillars.choices = [(k, pick(v)) for k, v in queries.pillar_labels().items()]
    form.themes.choices = [(k, pick(v)) for k, v in queries.theme_labels().items()]
    sheet = queries.current_sheet(db.session)
    form.indicator_keys.choices = [(ind.key, f"{ind.code}. {localized(ind, 'text')}") for ind in (sheet.indicators if sheet else [])]
    return [key for key, _label in form.indicator_keys.choices]


@bp.route("/practices/<int:practice_id>/publish", methods=["POST"])
@login_required
def publish_practice(practice_id: int):
    require(perm.can_manage_practices(current_user))
    practice = get_or_404(LocalPractice, practice_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.publish_practice(db.session, practice)):
        flash(_("The practice is published. Every user can now read it in the case library."), "success")
    return redirect(url_for(".practice", practice_id=practice.id))


# -- guidance beside indicators (a Jinja global) ------------------------------------------------

@dataclass(frozen=True)
class GuidanceLink:
    url: str
    title: str
    lesson: str
    local: bool = False


@bp.app_template_global("case_guidance")
def case_guidance(indicator_key: str) -> list[GuidanceLink]:
    """The cases (with their lesson) and published local practices that guide an indicator."""
    links = [GuidanceLink(url_for("cases.case", slug=link.case), pick(case.title), pick(link.lesson))
             for link in queries.links_for(indicator_key) if (case := queries.case_by_slug(link.case))]
    if "case_practices" not in g:
        g.case_practices = queries.published_practices_by_indicator(db.session)
    practices = [GuidanceLink(url_for("cases.practice", practice_id=p.id), localized(p, "title"),
                              localized(p, "lessons") or localized(p, "summary"), local=True)
                 for p in g.case_practices.get(indicator_key, [])]
    return links + practices
