"""Write operations on local practices: create, edit, publish. Flush only; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.cases.domain import PILLARS, join_csv
from shelterassess.cases.models import LocalPractice, PracticeStatus
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.facilities.models import Facility

#: The bilingual texts of a practice, in form order.
TEXT_FIELDS = ("title", "summary", "what_was_done", "results", "lessons")
TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000


@dataclass(frozen=True)
class PracticeInput:
    """What the form sent; ``texts`` maps ``"<field>_<lang>"`` to the stripped text."""

    facility_id: int | None
    texts: dict[str, str]
    consent_given: bool
    pillars: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    indicator_keys: tuple[str, ...] = ()
    version: int | None = None
    known_themes: frozenset[str] = field(default_factory=frozenset)
    known_indicators: frozenset[str] = field(default_factory=frozenset)


def create_practice(session: Session, user: User, data: PracticeInput) -> LocalPractice:
    facility = _check(session, data)
    practice = LocalPractice(facility=facility, created_by_id=user.id)
    _apply(practice, data)
    session.add(practice)
    session.flush()
    return practice


def update_practice(session: Session, practice: LocalPractice, data: PracticeInput) -> None:
    """Save the form over ``practice`` unless someone else saved it since the form was loaded."""
    if data.version is not None and data.version != practice.version:
        raise StaleData([localized_title(practice)])
    facility = _check(session, data)
    if practice.is_published:
        _check_publishable(data.texts, data.consent_given)
    practice.facility = facility
    _apply(practice, data)
    session.flush()


def publish_practice(session: Session, practice: LocalPractice) -> None:
    """Make a draft visible to every user; needs the facility's consent and the texts filled in."""
    if practice.is_published:
        raise ValidationFailed([(None, _("This practice is published already."))])
    texts = {f"{name}_{lang}": getattr(practice, f"{name}_{lang}") for name in TEXT_FIELDS for lang in ("vi", "en")}
    _check_publishable(texts, practice.consent_given)
    practice.status = PracticeStatus.PUBLISHED.value
    practice.published_at = utcnow()
    session.flush()


def localized_title(practice: LocalPractice) -> str:
    return practice.title_vi or practice.title_en


def _check(session: Session, data: PracticeInput) -> Facility:
    errors: list[tuple[str | None, str]] = []
    facility = session.get(Facility, data.facility_id) if data.facility_id else None
    if facility is None:
        errors.append(("facility_id", _("Choose the facility where the practice was observed.")))
    if not (data.texts.get("title_vi") or data.texts.get("title_en")):
        errors.append(("title_vi", _("Give the practice a title in Vietnamese or English.")))
    for name, text in data.texts.items():
        limit = TITLE_MAX_LENGTH if name.startswith("title_") else TEXT_MAX_LENGTH
        if len(text) > limit:
            errors.append((name, _("This text is longer than %(n)d characters.", n=limit)))
    if set(data.pillars) - set(PILLARS):
        errors.append(("pillars", _("Unknown pillar.")))
    if data.known_themes and set(data.themes) - data.known_themes:
        errors.append(("themes", _("Unknown theme.")))
    if data.known_indicators and set(data.indicator_keys) - data.known_indicators:
        errors.append(("indicator_keys", _("Unknown indicator.")))
    if errors:
        raise ValidationFailed(errors)
    return facility


def _check_publishable(texts: dict[str, str], consent_given: bool) -> None:
    errors: list[tuple[str | None, str]] = []
    if not consent_given:
        errors.append(("consent_given", _("The facility's consent is needed before the practice can be published.")))
    labels = {"title": _("title"), "summary": _("summary"), "what_was_done": _("what was done"),
              "results": _("results"), "lessons": _("lessons")}
    for name in TEXT_FIELDS:
        if not (texts.get(f"{name}_vi") or texts.get(f"{name}_en")):
            errors.append((f"{name}_vi", _("Fill in the %(field)s in Vietnamese or English before publishing.",
                                           field=labels[name])))
    if errors:
        raise ValidationFailed(errors)


def _apply(practice: LocalPractice, data: PracticeInput) -> None:
    for name in TEXT_FIELDS:
        for lang in ("vi", "en"):
            setattr(practice, f"{name}_{lang}", data.texts.get(f"{name}_{lang}", ""))
    practice.consent_given = data.consent_given
    practice.pillars = join_csv(p for p in PILLARS if p in data.pillars)
    practice.themes = join_csv(data.themes)
    practice.indicator_keys = join_csv(data.indicator_keys)
