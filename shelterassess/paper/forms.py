"""Forms of the paper round trip, built per score sheet: the entry form (the check code, then a
score box, evidence ticks and a note per indicator) and the resolution form (a choice per
differing indicator). Notes are :class:`~shelterassess.web.forms.NoteField`\\ s, so they pass the
same identifying-details gate as the area form's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import Length, ValidationError

from shelterassess.assessments.forms import EVIDENCE_LABELS, MultiCheckboxField, normalize_note, note_length
from shelterassess.paper import domain
from shelterassess.paper.domain import Choice, PaperAnswer
from shelterassess.paper.services import score_message
from shelterassess.scoresheets.models import EVIDENCE_SOURCES
from shelterassess.web.forms import BaseForm, NoteField


def _score_box(indicator):
    def check(form, field) -> None:
        try:
            domain.parse_score(field.data, indicator.na_allowed)
        except domain.InvalidScore:
            raise ValidationError(score_message(indicator)) from None
    return check


def _answer_fields(attrs: dict, indicator, prefix: str = "") -> None:
    attrs[f"{prefix}score-{indicator.id}"] = StringField(
        _l("Score for %(code)s", code=indicator.code), validators=[Length(max=8), _score_box(indicator)])
    attrs[f"{prefix}evidence-{indicator.id}"] = MultiCheckboxField(
        _l("Evidence used"), choices=[(e, EVIDENCE_LABELS[e]) for e in EVIDENCE_SOURCES], validate_choice=False)
    attrs[f"{prefix}note-{indicator.id}"] = NoteField(
        _l("Note for %(code)s", code=indicator.code), filters=[normalize_note], validators=[note_length(indicator.code)])


class EntryFormBase(BaseForm):
    check_code = StringField(_l("Check code printed on the sheet"), validators=[Length(max=20)])
    entry_number = HiddenField()

    def answers(self, indicators) -> dict[int, PaperAnswer]:
        return {ind.id: _read_answer(self, ind) for ind in indicators}


def _read_answer(form, ind, prefix: str = "") -> PaperAnswer:
    value, na = domain.parse_score(form[f"{prefix}score-{ind.id}"].data, ind.na_allowed)
    return PaperAnswer(value, na, tuple(form[f"{prefix}evidence-{ind.id}"].data or ()),
                       form[f"{prefix}note-{ind.id}"].data or "")


def entry_form_class(indicators):
    """Fields: ``check_code``, ``entry_number`` and ``score-<id>``, ``evidence-<id>``, ``note-<id>``."""
    attrs: dict = {}
    for ind in indicators:
        _answer_fields(attrs, ind)
    return type("PaperEntryForm", (EntryFormBase,), attrs)


CHOICE_LABELS = {
    domain.FIRST: _l("Keep entry 1"),
    domain.SECOND: _l("Keep entry 2"),
    domain.OTHER: _l("Another answer"),
}


class ResolveFormBase(BaseForm):
    def choices(self, differing) -> dict[int, Choice]:
        """The choice per differing indicator (only those with a valid choice)."""
        chosen = {}
        for ind in differing:
            source = self[f"choice-{ind.id}"].data
            if source in (domain.FIRST, domain.SECOND):
                chosen[ind.id] = Choice(source)
            elif source == domain.OTHER:
                chosen[ind.id] = Choice(source, _read_answer(self, ind, prefix="other-"))
        return chosen


def resolve_form_class(differing):
    """Fields per differing indicator: ``choice-<id>`` and the ``other-…`` answer fields."""
    attrs: dict = {}
    for ind in differing:
        attrs[f"choice-{ind.id}"] = RadioField(ind.code, choices=list(CHOICE_LABELS.items()), validate_choice=False)
        _answer_fields(attrs, ind, prefix="other-")
    return type("PaperResolveForm", (ResolveFormBase,), attrs)
