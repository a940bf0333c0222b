"""Forms of the plan pages. They check shape only (an id is a number, a date is a date); the
rules (cost, dates, indicators, reasons) are checked by the services, whose messages are put
back on the fields. Choices are filled by the views (``validate_choice=False``: an unknown
value reaches the service and gets its message)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import Optional, ValidationError

from shelterassess.plans import domain, labels
from shelterassess.plans.action_services import ActionInput
from shelterassess.plans.models import PlanAction
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import int_or_none
from shelterassess.web.validators import no_control_characters, version_number

PRIVACY_HINT = _l("Facility-level information only: never a resident's name or other identifying details.")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _digits(form, field) -> None:
    """Ids chosen from a list: digits, and no larger than a database id can be."""
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(v not in (None, "") and int_or_none(str(v)) is None for v in values):
        raise ValidationError(_l("Choose from the list."))


def _int_or_none(value: str | None) -> int | None:
    return int_or_none(str(value)) if value else None


def _strip(value):
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _version(value: str | None) -> int | None:
    return int_or_none(value)


class ActionForm(BaseForm):
    description = NoteField(_l("What will be done"), filters=[_strip], description=PRIVACY_HINT)
    indicator_ids = MultiCheckboxField(_l("Indicators this action improves"), validate_choice=False,
                                       validators=[_digits])
    responsible_role = SelectField(_l("Responsible role"), validate_choice=False)
    responsible_name = StringField(_l("Responsible staff member (optional)"), filters=[_strip],
                                   validators=[no_control_characters],
                                   description=_l("A member of the facility's staff, by name or job title."))
    start_on = DateField(_l("Start"), validators=[Optional()])
    due_on = DateField(_l("Due"), validators=[Optional()])
    cost = StringField(_l("Cost estimate (đồng)"), filters=[_strip],
                       description=_l("Whole đồng, for example 1500000 or 1.500.000. 0 when it costs nothing."))
    category = SelectField(_l("Funding category"), validate_choice=False)
    skill_id = SelectField(_l("Skill built (capacity building)"), validate_choice=False, validators=[_digits])
    case_keys = MultiCheckboxField(_l("Cases it draws on"), validate_choice=False)
    practice_id = SelectField(_l("Local practice it draws on"), validate_choice=False, validators=[_digits])
    version = HiddenField(validators=[version_number])

    def fill_choices(self, indicators, scores, skills, cases, practices, language_pick) -> None:
        """``indicators`` of the plan's sheet with their agreed ``scores``; ``language_pick(obj, field)``
        gives stored text in the page's language."""
        def score_text(ind) -> str:
            s = scores.get(ind.id)
            if s is None or (s.value is None and not s.not_applicable):
                return "–"
            return _("N/A") if s.not_applicable else str(s.value)
        self.indicator_ids.choices = [
            (str(i.id), _("%(code)s %(text)s (agreed score: %(score)s)", code=i.code, text=language_pick(i, "text"),
                          score=score_text(i))) for i in indicators]
        self.responsible_role.choices = [("", "–")] + [(r, labels.ROLE[r]) for r in domain.RESPONSIBLE_ROLES]
        self.category.choices = [(c, labels.CATEGORY[c]) for c in domain.CATEGORIES]
        self.skill_id.choices = [("", "–")] + [(str(s.id), language_pick(s, "name")) for s in skills]
        self.case_keys.choices = cases
        self.practice_id.choices = [("", "–")] + [(str(p.id), language_pick(p, "title")) for p in practices]

    def to_input(self) -> ActionInput:
        return ActionInput(
            description=self.description.data or "", responsible_role=self.responsible_role.data or "",
            responsible_name=self.responsible_name.data or "", start_on=self.start_on.data, due_on=self.due_on.data,
            cost=self.cost.data or "", category=self.category.data or "", skill_id=_int_or_none(self.skill_id.data),
            indicator_ids=tuple(n for i in self.indicator_ids.data or () if (n := int_or_none(str(i))) is not None),
            case_keys=tuple(k for k in self.case_keys.data or () if k),
            practice_id=_int_or_none(self.practice_id.data), version=_version(self.version.data),
        )


def action_form_data(action: PlanAction) -> dict:
    return {
        "description": action.description, "indicator_ids": [str(i.id) for i in action.indicators],
        "responsible_role": action.responsible_role, "responsible_name": action.responsible_name,
        "start_on": action.start_on, "due_on": action.due_on, "cost": str(action.cost_vnd),
        "category": action.category, "skill_id": str(action.skill_id or ""), "case_keys": action.case_key_list,
        "practice_id": str(action.practice_id or ""), "version": str(action.version),
    }


class DropForm(BaseForm):
    drop_reason = NoteField(_l("Why is this action dropped?"), filters=[_strip], description=PRIVACY_HINT)
    version = HiddenField(validators=[version_number])

    @property
    def version_number(self) -> int | None:
        return _version(self.version.data)


class MergeForm(BaseForm):
    action_ids = MultiCheckboxField(_l("Actions to merge"), validate_choice=False, validators=[_digits])

    @property
    def ids(self) -> list[int]:
        return [n for i in self.action_ids.data or () if (n := int_or_none(str(i))) is not None]


class ReturnForm(BaseForm):
    comment = NoteField(_l("Your comments for the team"), filters=[_strip],
                        description=_l("What should change before you accept the plan? Facility-level information "
                                           "only: never a resident's name or other identifying details."))


class ReopenPlanForm(BaseForm):
    reason = NoteField(_l("Why is the plan reopened?"), filters=[_strip],
                       description=_l("Recorded with your name. The team changes the plan, shares it again, and "
                                          "the facility manager accepts it again. Facility-level information only: "
                                          "never a resident's name or other identifying details."))


class ProgressForm(BaseForm):
    status = SelectField(_l("Status of the action"), validate_choice=False)
    drop_reason = NoteField(_l("Reason, if dropped"), filters=[_strip])
    noted_on = DateField(_l("Date of the note"), validators=[Optional()])
    note = NoteField(_l("Progress note"), filters=[_strip], description=PRIVACY_HINT)
    version = HiddenField(validators=[version_number])

    def fill_choices(self) -> None:
        self.status.choices = [(s, labels.ACTION_STATUS[s]) for s in domain.ACTION_STATUSES]


class OverviewFilterForm(BaseForm):
    """Read from the query string; no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    province = SelectField(_l("Province"), validate_choice=False)
    status = SelectField(_l("Plan status"), validate_choice=False)

    def fill_choices(self, provinces, language_pick) -> None:
        self.province.choices = [("", _l("All provinces"))] + [(str(p.id), language_pick(p, "name")) for p in provinces]
        self.status.choices = [("", _l("All statuses"))] + [(s, labels.PLAN_STATUS[s]) for s in domain.PLAN_STATUSES]
