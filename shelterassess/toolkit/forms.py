"""Forms of escalated concerns. Shape only (a date is a date, an id a number); the rules (which
facility, lengths, no identifiers) are checked by the services, whose messages are put back
on the fields. Choices are filled by the views (``validate_choice=False``: an unknown value
reaches the service and gets its message). Text areas have no ``maxlength``: a browser would
cut pasted text silently; the service says what is too long instead."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import Optional

from shelterassess.teams.forms import VisitDateField, optional_id
from shelterassess.toolkit.domain import find_identifiers
from shelterassess.toolkit.labels import CATEGORY_LABELS
from shelterassess.web.forms import BaseForm, NoteField

PRIVACY_HINT = _l("Facility-level only: describe roles and places (a night guard, the girls' dormitory, two "
                  "children). Never a name, age, birth date, phone or document number, file code or room number.")


def _text(value):
    return value if isinstance(value, str) else ""


def _refused(text: str) -> bool:
    """The service refuses obvious identifiers outright: its message says so, no warning to confirm."""
    return bool(find_identifiers(text))


class EscalationForm(BaseForm):
    category = RadioField(_l("What kind of concern?"), choices=list(CATEGORY_LABELS.items()), validate_choice=False)
    facility_id = SelectField(_l("Facility"), coerce=optional_id, validate_choice=False)
    seen_on = VisitDateField(_l("Date seen"), validators=[Optional()])
    description = NoteField(
        _l("What was seen or heard"), filters=[_text], refused_anyway=_refused,
        render_kw={"rows": 7})
    immediate_action = NoteField(
        _l("What the team did at once"), filters=[_text], refused_anyway=_refused,
        description=_l('For example: "called 111", "told the manager, who moved the child to the staff room", '
                       '"nothing yet: the manager may be involved".'),
        render_kw={"rows": 3})


class NoteForm(BaseForm):
    """One text: an action taken, more information, the outcome when closing, a reason to reopen."""

    text = NoteField(_l("Text"), filters=[_text], render_kw={"rows": 3}, refused_anyway=_refused)
