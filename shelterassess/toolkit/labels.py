"""Translated labels and messages of escalated concerns (interface strings, through gettext).

Functions, not constants: they are evaluated in the request's (or a forced) locale.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shelterassess.toolkit import domain
from shelterassess.toolkit.domain import Problem

CATEGORY_LABELS = {
    "abuse": _l("Abuse (violence, sexual abuse or exploitation, threats, punishments)"),
    "detention": _l("Detention or being locked in"),
    "child_at_risk": _l("A child at risk"),
    "other": _l("Other danger to life or health"),
}

SHORT_CATEGORY_LABELS = {
    "abuse": _l("Abuse"),
    "detention": _l("Detention or locked in"),
    "child_at_risk": _l("Child at risk"),
    "other": _l("Other"),
}

STATUS_LABELS = {
    "open": _l("Open: waiting for the national team"),
    "acknowledged": _l("Acknowledged: the national team is acting"),
    "closed": _l("Closed"),
}

EVENT_LABELS = {
    "recorded": _l("Recorded"),
    "acknowledged": _l("Acknowledged"),
    "action": _l("Action taken"),
    "information": _l("More information"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
}

IDENTIFIER_LABELS = {
    domain.NAME: _l("a name"),
    domain.BIRTH_DATE: _l("a birth date or year of birth"),
    domain.PHONE_OR_ID: _l("a phone, identity card or account number"),
    domain.DOCUMENT_NUMBER: _l("a passport or document number"),
    domain.EMAIL: _l("an e-mail address"),
}


def category(value: str) -> str:
    return str(SHORT_CATEGORY_LABELS.get(value, value))


def status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def event(value: str) -> str:
    return str(EVENT_LABELS.get(value, value))


def problem_message(problem: Problem) -> str:
    p = dict(problem.params)
    code = problem.code
    if code == "category":
        return _("Choose what kind of concern this is.")
    if code == "facility":
        return _("Choose a facility from the list: the facilities your team visits.")
    if code == "date_missing":
        return _("Enter the date as year-month-day, for example 2027-03-15.")
    if code == "date_future":
        return _("The date cannot be in the future.")
    if code == "date_too_old":
        return _("The date is more than a year ago. Check the year.")
    if code == "empty":
        return _("This cannot be empty.")
    if code == "too_short":
        return _("Write at least %(min)d characters.", min=p["min"])
    if code == "too_long":
        return _("Shorten this to at most %(max)d characters (it has %(length)d).", max=p["max"], length=p["length"])
    if code == "identifiers":
        kinds = ", ".join(str(IDENTIFIER_LABELS[k]) for k in p["kinds"])
        return _("This seems to contain %(kinds)s. Describe what was seen in facility-level terms, by roles and "
                 "places (a night guard, the girls' dormitory, two children): never a name, birth date, phone or "
                 "document number. Nothing was saved.", kinds=kinds)
    return code


def step_refused(step: str, current: str) -> str:
    if step == "close":
        return _("Record the action taken before closing. An escalation can be closed only once acknowledged.")
    return _("This cannot be done while the escalation is “%(status)s”. Reload the page to see its current state.",
             status=status(current))


def stale_message() -> str:
    return _("Someone else changed this escalation at the same moment. Nothing was saved: check the page and "
             "try again.")
