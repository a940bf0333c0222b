"""Forms for the self-assessment. The area form is built per area: one score,
evidence, note and version field per indicator."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, widgets
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from shelterassess.assessments.services import NOTE_MAX_LENGTH, AnswerInput
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, Area
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import int_or_none

NA = "na"
#: What :func:`score_value` gives for a score that is not a number ("abc", "2.5", "²", 2**63): a value the
#: service refuses with the same field message as an out-of-range one (a forged radio value).
INVALID_SCORE = -1

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
                value=score_value(raw),
                not_applicable=raw == NA,
                evidence=tuple(self[f"evidence-{ind.id}"].data or ()),
                note=(self[f"note-{ind.id}"].data or "").strip(),
                version=int_or_none(version),
            ))
        return items


def score_value(raw: str | None) -> int | None:
    """A posted score: None when unanswered or N/A, the number when it is one (ASCII digits within a
    database integer), else :data:`INVALID_SCORE`, which the service refuses on the field."""
    if raw in (None, "", NA):
        return None
    number = int_or_none(raw)
    return INVALID_SCORE if number is None else number


def normalize_note(text: str | None) -> str | None:
    """Browsers send a textarea's line breaks as CRLF but count them as one character: count them as one too."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def note_length(code: str):
    """Refuse a note over NOTE_MAX_LENGTH with the service's message (the page never cuts pasted text)."""
    def check(form, field) -> None:
        if len((field.data or "").strip()) > NOTE_MAX_LENGTH:
            raise ValidationError(_("%(code)s: the note is longer than %(n)d characters.",
                                    code=code, n=NOTE_MAX_LENGTH))
    return check


def area_form_class(area: Area):
    """A form class with fields named score-<id>, evidence-<id>, note-<id>, version-<id>."""
    attrs = {}
    for ind in area.indicators:
        choices = [(str(v), str(v)) for v in range(4)] + ([(NA, _l("N/A"))] if ind.na_allowed else [])
        attrs[f"score-{ind.id}"] = RadioField(ind.code, choices=choices, validators=[Optional()],
                                              validate_choice=False)
        attrs[f"evidence-{ind.id}"] = MultiCheckboxField(
            _l("Evidence used"), choices=[(e, EVIDENCE_LABELS[e]) for e in EVIDENCE_SOURCES], validate_choice=False)
        attrs[f"note-{ind.id}"] = NoteField(_l("Note"), filters=[normalize_note],
                                            validators=[note_length(ind.code)])
        attrs[f"version-{ind.id}"] = HiddenField()
    return type(f"AreaForm{area.id}", (AreaFormBase,), attrs)


def saved_answer(score) -> dict:
    """A saved score as the area form's fields hold it: score ("0".."3", "na" or ""), evidence, note."""
    value = NA if score.not_applicable else (str(score.value) if score.value is not None else "")
    return {"score": value, "evidence": list(score.evidence_list), "note": score.note or ""}


def area_form_data(area: Area, scores: dict) -> dict:
    data = {}
    for ind in area.indicators:
        s = scores[ind.id]
        answer = saved_answer(s)
        data[f"score-{ind.id}"] = answer["score"] or None
        data[f"evidence-{ind.id}"] = answer["evidence"]
        data[f"note-{ind.id}"] = answer["note"]
        data[f"version-{ind.id}"] = str(s.version)
    return data


class StartForm(BaseForm):
    round_id = SelectField(_l("Round"), coerce=int, validators=[DataRequired()])


class ReopenForm(BaseForm):
    reason = NoteField(_l("Why is it reopened?"), validators=[DataRequired(), Length(min=5, max=1000)])


class EmptyForm(BaseForm):
    """CSRF only, for buttons that POST."""
