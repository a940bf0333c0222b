"""Forms for the self-assessment. The area form is built per area: one score,
evidence, note and version field per indicator."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from shelterassess.assessments.services import NOTE_MAX_LENGTH, AnswerInput
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, Area
from shelterassess.web.forms import BaseForm

NA = "na"

EVIDENCE_LABELS = {
    "observation": _l("Observation"),
    "document_review": _l("Document review"),
    "staff_interview": _l("Staff interview"),
    "resident_interview": _l("Resident interview"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AreaFormBase(BaseForm):
    def answer_inputs(self, area: Area) -> list[AnswerInput]:
        items = []
        for ind in area.indicators:
            raw = self[f"score-{ind.id}"].data
            version = self[f"version-{ind.id}"].data
            items.append(AnswerInput(
                indicator_id=ind.id,
                value=int(raw) if raw not in (None, "", NA) else None,
                not_applicable=raw == NA,
                evidence=tuple(self[f"evidence-{ind.id}"].data or ()),
                note=(self[f"note-{ind.id}"].data or "").strip(),
                version=int(version) if version and version.isdigit() else None,
            ))
        return items


def area_form_class(area: Area):
    """A form class with fields named score-<id>, evidence-<id>, note-<id>, version-<id>."""
    attrs = {}
    for ind in area.indicators:
        choices = [(str(v), str(v)) for v in range(4)] + ([(NA, _l("N/A"))] if ind.na_allowed else [])
        attrs[f"score-{ind.id}"] = RadioField(ind.code, choices=choices, validators=[Optional()],
                                              validate_choice=False)
        attrs[f"evidence-{ind.id}"] = MultiCheckboxField(
            _l("Evidence used"), choices=[(e, EVIDENCE_LABELS[e]) for e in EVIDENCE_SOURCES], validate_choice=False)
        attrs[f"note-{ind.id}"] = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX_LENGTH * 2)])
        attrs[f"version-{ind.id}"] = HiddenField()
    return type(f"AreaForm{area.id}", (AreaFormBase,), attrs)


def area_form_data(area: Area, scores: dict) -> dict:
    data = {}
    for ind in area.indicators:
        s = scores[ind.id]
        data[f"score-{ind.id}"] = NA if s.not_applicable else (str(s.value) if s.value is not None else None)
        data[f"evidence-{ind.id}"] = s.evidence_list
        data[f"note-{ind.id}"] = s.note
        data[f"version-{ind.id}"] = str(s.version)
    return data


class StartForm(BaseForm):
    round_id = SelectField(_l("Round"), coerce=int, validators=[DataRequired()])


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Why is it reopened?"), validators=[DataRequired(), Length(min=5, max=1000)])


class EmptyForm(BaseForm):
    """CSRF only, for buttons that POST."""
