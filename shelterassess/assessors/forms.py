"""Forms for training sessions, certification and calibration."""
from __future__ import annotations

from typing import Optional as Opt

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from shelterassess.assessors.domain import PracticeSheet
from shelterassess.assessors.services import NOTE_MAX_LENGTH, OVERRIDE_MIN_LENGTH, TrainingInput
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.validators import no_control_characters, no_control_characters_in_text
from shelterassess.web.params import bounded_int

NA = "na"


class TrainingForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), no_control_characters],
                        description=_l('For example "Peer assessor training, northern provinces".'))
    held_on = DateField(_l("Date"), validators=[InputRequired()], description=_l("Format: YYYY-MM-DD"))
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200), no_control_characters])
    trainers = TextAreaField(_l("Trainers"),
                             validators=[DataRequired(), Length(max=400), no_control_characters_in_text],
                             description=_l("Names of the trainers, separated by commas."))

    def to_input(self) -> TrainingInput:
        return TrainingInput(self.title.data or "", self.held_on.data, self.place.data or "", self.trainers.data or "")


class ParticipantForm(BaseForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired()],
                          description=_l("Facility staff and managers: facility code · name · email."))


class AttendanceForm(BaseForm):
    attended = SelectMultipleField(_l("Attended"), coerce=bounded_int, validate_choice=False)


class CertifyForm(BaseForm):
    note = NoteField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
                     description=_l("For example what the certification is based on."))
    override_reason = NoteField(
        _l("Reason to certify without a passed calibration"),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
        description=_l("Only the national team can make this exception, and the reason is kept on the certification. "
                       "At least %(n)d characters, for example how the person was calibrated instead.",
                       n=OVERRIDE_MIN_LENGTH))

    def to_args(self) -> tuple[str, str]:
        return self.note.data or "", self.override_reason.data or ""


class RevokeForm(BaseForm):
    reason = NoteField(_l("Why is the certification revoked?"),
                       validators=[DataRequired(), Length(min=3, max=NOTE_MAX_LENGTH)])


class CalibrationFormBase(BaseForm):
    def scores(self, sheet: PracticeSheet) -> dict[str, Opt[int]]:
        """indicator key -> 0..3 or None (N/A); unanswered indicators are left out."""
        result: dict[str, Opt[int]] = {}
        for ind in sheet.indicators:
            raw = self[f"score-{ind.code}"].data
            if raw == NA:
                result[ind.key] = None
            elif raw in ("0", "1", "2", "3"):
                result[ind.key] = int(raw)
        return result


def calibration_form_class(sheet: PracticeSheet):
    """A form with one radio field ``score-<code>`` per indicator of the sheet."""
    attrs = {}
    for ind in sheet.indicators:
        choices = [(str(v), str(v)) for v in range(4)] + ([(NA, _l("N/A"))] if ind.na_allowed else [])
        attrs[f"score-{ind.code}"] = RadioField(ind.code, choices=choices, validators=[Optional()],
                                                validate_choice=False)
    return type(f"CalibrationForm_{sheet.key}_{sheet.version}", (CalibrationFormBase,), attrs)
