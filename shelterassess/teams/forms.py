"""Forms for peer teams, assignments and visit dates. Shape only: the rules live in domain.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from shelterassess.teams.services import NAME_MAX_LENGTH
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import MAX_INT, bounded_int, int_or_none
from shelterassess.web.validators import no_control_characters


def optional_id(value) -> int | None:
    """Coerce for a select of ids: the chosen id, or None ("", "²", or 2**63, which PostgreSQL refused
    with an error: a 500). Also takes the stored id (an int) when the form is filled from a record."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_INT else None
    return int_or_none(value) if isinstance(value, str) else None


class VisitDateField(DateField):
    """A date as YYYY-MM-DD (what date pickers send); a clear message otherwise, and the typing is kept."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the date as year-month-day, for example 2027-03-15.")) from None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TeamForm(BaseForm):
    round_id = SelectField(_l("Round"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=NAME_MAX_LENGTH), no_control_characters],
                       filters=[lambda v: (v or "").strip()], description=_l('For example "Team North 1".'))
    members = MultiCheckboxField(
        _l("Members"), coerce=bounded_int, validate_choice=False,
        description=_l("Two to five certified assessors; the code is the facility they work at."))
    lead_id = SelectField(_l("Team lead"), coerce=optional_id, validate_choice=False,
                          description=_l("The lead must be one of the members."))
    confirm_warnings = BooleanField(_l("Save anyway: I have read the warnings above"))


class AssignForm(BaseForm):
    facility_id = SelectField(_l("Facility to assess"), coerce=optional_id, validate_choice=False,
                              validators=[DataRequired()])
    planned_visit_on = VisitDateField(_l("Planned visit date"), validators=[Optional()],
                                 description=_l("Optional; you can set or change it later."))
    confirm_warnings = BooleanField(_l("Save anyway: I have read the warnings above"))


class VisitForm(BaseForm):
    planned_visit_on = VisitDateField(_l("Planned visit date"), validators=[Optional()],
                                 description=_l("Leave empty when the date is not known yet."))


class WithdrawAssignmentForm(BaseForm):
    reason = NoteField(_l("Why is the team withdrawn from this facility?"),
                       validators=[DataRequired(_l("Say why the assignment is withdrawn (at least 10 characters).")),
                                   Length(min=10, max=1000, message=_l(
                                       "Say why the assignment is withdrawn (at least 10 characters)."))],
                       description=_l("Recorded with your name. Describe the facility's situation only, never "
                                      "a resident."))
