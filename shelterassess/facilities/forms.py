from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation, ValidationError

from shelterassess.facilities.models import FacilityType
from shelterassess.facilities.services import FacilityInput
from shelterassess.web.forms import BaseForm
from shelterassess.web.params import MAX_INT, int_or_none
from shelterassess.web.validators import no_control_characters

FACILITY_TYPE_LABELS = {
    FacilityType.SHELTER.value: _l("Shelter"),
    FacilityType.RECEPTION_CENTRE.value: _l("Reception centre"),
}


def _int_or_none(value) -> int | None:
    """Coerce a select value; anything that is not a number a database can hold becomes None (refused by
    validate_province_id): "²", or 2**63, which PostgreSQL refused with an error (a 500)."""
    if isinstance(value, int) and not isinstance(value, bool):  # the stored province, when the form is filled
        return value if 0 <= value <= MAX_INT else None
    return int_or_none(value) if isinstance(value, str) else None


class WholeNumberField(IntegerField):
    """An IntegerField that reports unreadable input once, instead of also failing the range check."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None  # empty: InputRequired says what is missing
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number, for example 30.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


SENSITIVE_HINT = _l("Sensitive: shown only to this facility's own users, the national team and administrators.")


class FacilityForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Capital letters, digits and hyphens, for example SH-HN-01."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), no_control_characters])
    type = SelectField(_l("Type"), choices=list(FACILITY_TYPE_LABELS.items()), validators=[DataRequired()])
    # Choices are set by the view; whether the province exists is the service's rule.
    province_id = SelectField(_l("Province"), coerce=_int_or_none, validate_choice=False,
                              validators=[InputRequired(message=_l("Choose a province."))])
    capacity = WholeNumberField(
        _l("Capacity"),
        validators=[InputRequired(message=_l("Enter the number of places.")),
                    NumberRange(min=0, max=10000, message=_l("Capacity must be between 0 and 10,000."))],
        description=_l("Number of residents the facility can host."),
    )
    active = BooleanField(_l("Active"), default=True,
                          description=_l("Inactive facilities cannot start new self-assessments."))
    address = TextAreaField(_l("Address"), validators=[Length(max=400)], description=SENSITIVE_HINT)
    phone = StringField(_l("Phone"), validators=[Length(max=40)], description=SENSITIVE_HINT)

    def validate_province_id(self, field) -> None:
        if field.data is None:
            raise ValidationError(_l("Choose a province."))

    def to_input(self) -> FacilityInput:
        return FacilityInput(
            code=self.code.data or "",
            name=self.name.data or "",
            type=self.type.data or "",
            province_id=self.province_id.data or 0,
            capacity=self.capacity.data,
            active=bool(self.active.data),
            address=self.address.data or "",
            phone=self.phone.data or "",
        )
