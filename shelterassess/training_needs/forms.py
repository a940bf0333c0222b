"""Forms for skills and for scheduling a follow-up training."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import Length, Optional

from shelterassess.assessors.services import TrainingInput
from shelterassess.training_needs.services import NAME_MAX_LENGTH, SkillInput
from shelterassess.web.forms import BaseForm
from shelterassess.web.params import bounded_int
from shelterassess.web.validators import no_control_characters, no_control_characters_in_text


class SkillForm(BaseForm):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[Length(max=NAME_MAX_LENGTH * 2), no_control_characters])
    name_en = StringField(_l("Name in English"), validators=[Length(max=NAME_MAX_LENGTH * 2), no_control_characters])
    active = BooleanField(_l("Active: new capacity-building actions can name it"), default=True)

    def to_input(self) -> SkillInput:
        return SkillInput(self.name_vi.data or "", self.name_en.data or "", bool(self.active.data))


class ActionChecklist(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ScheduleTrainingForm(BaseForm):
    action_ids = ActionChecklist(_l("Actions the training answers"), coerce=bounded_int, validate_choice=False)
    training_id = SelectField(_l("Training session"), coerce=bounded_int, validators=[Optional()], validate_choice=False,
                              description=_l("An upcoming training session, or a new one described below."))
    title = StringField(_l("Title of the new training"),
                        validators=[Optional(), Length(max=200), no_control_characters])
    held_on = DateField(_l("Date"), validators=[Optional()], description=_l("Format: YYYY-MM-DD"))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200), no_control_characters])
    trainers = TextAreaField(_l("Trainers"), validators=[Optional(), Length(max=400), no_control_characters_in_text],
                             description=_l("Names of the trainers, separated by commas."))

    def new_training(self) -> TrainingInput | None:
        if self.training_id.data:
            return None
        return TrainingInput(self.title.data or "", self.held_on.data, self.place.data or "", self.trainers.data or "")
