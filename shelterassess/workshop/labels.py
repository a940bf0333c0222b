"""Translated titles, explanations and column headings of the pack, shared by its page, the PDF
and the workbook, so the three name the same tables the same way. Call inside a request or
under ``force_locale``."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from shelterassess.comparisons.display import format_kappa
from shelterassess.plans.labels import vnd
from shelterassess.web.templating import format_pct


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    about: str


def sections(pack) -> list[Section]:
    """The pack's sections in order."""
    found = [
        Section("participation", _("Participation"),
                _("Facilities of the round by province: taking part, self-assessments, peer assessments and "
                  "agreed results submitted, results released.")),
        Section("results", _("National results by area"),
                _("National means of the self-assessments, peer assessments and agreed results by area, and "
                  "the agreed results by facility.")),
        Section("agreement", _("Rater agreement"),
                _("Agreement between self-assessments and peer assessments: all indicators, and the indicators "
                  "with low agreement.")),
        Section("gaps", _("Most common gaps and red flags"),
                _("Indicators where self-assessment and peer assessment most often differ by %(n)d points or "
                  "more, and critical indicators most often at or below their red-flag level in the agreed results.", n=pack.gap_threshold)),
        Section("training", _("Training needs"),
                _("Capacity-building actions of the round's accepted plans and plans in progress, by skill and "
                  "province.")),
        Section("compliance", _("Plan compliance"),
                _("Follow-up visits: compliance with the plans, points gained and cost per point, by facility "
                  "and province.")),
        Section("allocation", _("Allocation"),
                _("Funds of the approved funding rounds by facility and category, with totals and the amount "
                  "per point gained at follow-up.")),
        Section("lessons", _("Lessons from the case library"),
                _("What the case library says about the indicators with the most common gaps and red flags.")),
    ]
    return found


def anonymised_note(pack) -> str:
    return _("Anonymised for workshops: facilities are shown by a code that stays the same within this round; "
             "names, facility codes, types, capacities and visit dates are hidden. Provinces with fewer than "
             "%(n)d facilities with a result are shown together as “Other provinces”.",
             n=pack.min_facilities_per_province)


def participation_heads() -> list[str]:
    return [_("Province"), _("Facilities"), _("Taking part"), _("Self-assessment submitted"),
            _("Peer assessment submitted"), _("Agreed result finalised"), _("Released")]


def means_heads() -> list[str]:
    return [_("Area"), _("Self-assessment (%)"), _("Facilities"), _("Peer assessment (%)"), _("Facilities"),
            _("Agreed result (%)"), _("Facilities")]


def agreement_heads() -> list[str]:
    return [_("Indicator"), _("Exact agreement (%)"), _("Within one point (%)"), _("Weighted kappa"),
            _("Pairs compared"), _("Excluded as N/A")]


def low_agreement_rule(pack) -> str:
    return _("Listed when at least %(n)d pairs were scored and the weighted kappa is below %(kappa)s (or, when "
             "kappa is not shown, exact agreement is below %(exact)s). Worst first.",
             n=3, kappa=format_kappa(0.4), exact=format_pct(50)) + " " + \
        _("An indicator's weighted kappa is shown only from %(n)d pairs scored by both.",
          n=pack.national.kappa_min_pairs)


def gap_heads() -> list[str]:
    return [_("Indicator"), _("Pairs compared"), _("Gaps"), _("Self-assessment higher"), _("Self-assessment lower")]


def red_flag_heads() -> list[str]:
    return [_("Indicator"), _("Facilities"), _("Facility codes")]


def training_heads(pack) -> list[str]:
    return [_("Skill"), *pack.training.provinces, _("Total"), _("Training scheduled")]


def compliance_heads(pack) -> list[str]:
    dates = [] if pack.anonymised else [_("Day of the visit")]
    return [_("Facility"), *dates, _("Compliance (%)"), _("Implemented"), _("Partly implemented"),
            _("Not implemented"), _("No longer relevant"), _("Points gained"), _("Spent (VND)"),
            _("Cost per point (VND)")]


def allocation_heads(pack) -> list[str]:
    names = [] if pack.anonymised else [_("Name")]
    return [_("Facility"), *names, _("Province"), *(label for _value, label in pack.allocation.categories),
            _("Total (VND)"), _("VND per point gained")]


def funding_round_heads() -> list[str]:
    return [_("Funding round"), _("Budget (VND)"), _("Allocated (VND)")]


def lesson_heads() -> list[str]:
    return [_("Indicator"), _("Listed for"), _("Case"), _("Lesson")]


def listed_for(gap: bool, red_flag: bool) -> str:
    reasons = ([_("gap")] if gap else []) + ([_("red flag")] if red_flag else [])
    return ", ".join(reasons)


def money(value: int | None) -> str:
    """Whole đồng as the app shows money (decision 33: "1.500.000 ₫", "₫1,500,000"); "–" when undefined."""
    return "–" if value is None else vnd(value)


def skill_label(name: str) -> str:
    return name or _("No skill named")
