"""Forms of the funding pages. They check shape only; amounts are kept as typed and read by the
services (``domain.parse_amount``), whose messages are put back on the fields."""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField

from shelterassess.funding.services import ParametersInput, RoundInput
from shelterassess.plans.domain import CATEGORIES
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import int_or_none
from shelterassess.web.validators import no_control_characters
from shelterassess.web.validators import version_number as _version_check

AMOUNT_HINT = _l("Whole đồng, for example 500000000 or 500.000.000.")
ENVELOPE_HINT = _l("Optional: the most this category receives. Empty: no envelope, the category shares what the "
                   "budget leaves.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def typed_amount(value: int | None) -> str:
    """An amount as the form shows it again, grouped the locale's way (the parser reads both)."""
    return "" if value is None else format_decimal(value, format="#,##0")


class ParametersMixin:
    red_flag_weight = StringField(_l("Weight of a red flag"), filters=[_strip],
                                  description=_l("Points added to a facility's need for each red flag (a critical "
                                                 "indicator agreed at 0), from 0 to 100. The gap to the maximum of 100 "
                                                 "counts "
                                                 "one point per percentage point."))
    use_capacity = BooleanField(_l("Scale the need by capacity"),
                                description=_l("Multiplies each need by the facility's capacity divided by the mean "
                                               "capacity of the facilities weighed."))
    envelope_capacity_building = StringField(_l("Envelope: capacity building (đồng)"), filters=[_strip],
                                             description=ENVELOPE_HINT)
    envelope_facilities_improvement = StringField(_l("Envelope: facilities improvement (đồng)"), filters=[_strip],
                                                  description=ENVELOPE_HINT)
    envelope_other = StringField(_l("Envelope: other needs (đồng)"), filters=[_strip], description=ENVELOPE_HINT)

    def parameters(self) -> ParametersInput:
        return ParametersInput(self.red_flag_weight.data or "", bool(self.use_capacity.data),
                               {c: getattr(self, f"envelope_{c}").data or "" for c in CATEGORIES})

    def fill_parameters(self, obj) -> None:
        self.red_flag_weight.data = str(obj.red_flag_weight)
        self.use_capacity.data = obj.use_capacity
        for c, value in obj.envelopes().items():
            getattr(self, f"envelope_{c}").data = typed_amount(value)


class FundingRoundForm(ParametersMixin, BaseForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[no_control_characters],
                       description=_l("For example “Improvement fund 2027”."))
    round_id = SelectField(_l("Assessment round"), validate_choice=False,
                           description=_l("Its finalised agreed results and accepted plans are what is allocated."))
    budget = StringField(_l("Total budget (đồng)"), filters=[_strip], description=AMOUNT_HINT)
    rounding_unit = StringField(_l("Rounding unit (đồng)"), filters=[_strip],
                                description=_l("Proposed amounts are whole multiples of it, for example 1.000.000."))

    def fill(self, fround) -> None:
        self.name.data = fround.name
        self.budget.data = typed_amount(fround.budget_vnd)
        self.rounding_unit.data = typed_amount(fround.rounding_unit_vnd)
        self.fill_parameters(fround)

    round_id: SelectField | None

    def to_input(self) -> RoundInput:
        round_id = self.round_id.data if self.round_id is not None else None
        return RoundInput(self.name.data or "", self.budget.data or "", self.rounding_unit.data or "",
                          self.parameters(), int_or_none(str(round_id)) if round_id else None)


class ScenarioForm(ParametersMixin, BaseForm):
    name = StringField(_l("Name of the scenario"), filters=[_strip], validators=[no_control_characters],
                       description=_l("For example “Red flags count double” or “By capacity”."))


class AdjustForm(BaseForm):
    amount = StringField(_l("Amount (đồng)"), filters=[_strip],
                         description=_l("Whole đồng, at most the request. The total stays within the budget and the "
                                        "category's envelope."))
    reason = NoteField(_l("Reason"), filters=[_strip],
                       description=_l("Required, and shown to the facility. Facility-level information only."))
    version = HiddenField(validators=[_version_check])  # a forged one is refused, not taken as "no version"

    def version_number(self) -> int | None:
        return int_or_none(self.version.data or "")


class ReasonForm(BaseForm):
    reason = NoteField(_l("Reason"), filters=[_strip], description=_l("Recorded with your name."))


class CompareForm(BaseForm):
    class Meta:
        csrf = False  # a GET form

    a = SelectField(_l("Left"), validate_choice=False)
    b = SelectField(_l("Right"), validate_choice=False)
