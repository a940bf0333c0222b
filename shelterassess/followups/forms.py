"""Forms for follow-up visits: scheduling, the visit form (built per visit), submitting, reopening.

The visit form's inputs are read from every ``outcome-<id>``/``score-<id>`` key the browser
sent, not only from the fields the page rendered: an action or indicator the visit does not
check is then refused by the service with a clear message instead of being ignored.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, RadioField, SelectField
from wtforms.validators import DataRequired, Length, Optional

from shelterassess.assessments.forms import EVIDENCE_LABELS, NA, MultiCheckboxField, normalize_note
from shelterassess.followups import domain
from shelterassess.followups.queries import VisitData
from shelterassess.followups.services import ActionInput, ScoreInput
from shelterassess.scoresheets.models import EVIDENCE_SOURCES
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import bounded_int, int_or_none
from shelterassess.web.validators import version_number

OUTCOME_LABELS = {
    domain.IMPLEMENTED: _l("Implemented"),
    domain.PARTLY: _l("Partly implemented"),
    domain.NOT_IMPLEMENTED: _l("Not implemented"),
    domain.NOT_RELEVANT: _l("No longer relevant"),
}

_ACTION_KEY = re.compile(r"^(outcome|anote|aversion)-([0-9]+)$")  # ASCII: \d also takes "١" (read as 1)
_SCORE_KEY = re.compile(r"^(score|evidence|note|version)-([0-9]+)$")


class ScheduleForm(BaseForm):
    team_id = SelectField(_l("Team"), coerce=bounded_int, validators=[Optional()], validate_choice=False,
                          description=_l("The teams that assessed the facility in the plan's round come first."))
    planned_on = DateField(_l("Planned date of the visit"), validators=[Optional()],
                           description=_l("Format: YYYY-MM-DD"))


class SubmitVisitForm(BaseForm):
    visited_on = DateField(_l("Day of the visit"), validators=[Optional()],
                           description=_l("The day the team actually visited the facility."))


class ReopenVisitForm(BaseForm):
    reason = NoteField(_l("Why is the follow-up visit reopened?"),
                       validators=[DataRequired(), Length(min=5, max=1000)],
                       description=_l("Recorded with your name. The team can change the results again and the "
                                          "lead submits them again."))


class VisitFormBase(BaseForm):
    pass


def visit_form_class(data: VisitData):
    """Fields outcome-/anote-/aversion-<action id> and score-/evidence-/note-/version-<indicator id>."""
    attrs = {}
    for row in data.actions:
        aid = row.action.id
        attrs[f"outcome-{aid}"] = RadioField(_l("What the visit found"), choices=list(OUTCOME_LABELS.items()),
                                             validators=[Optional()], validate_choice=False)
        attrs[f"anote-{aid}"] = NoteField(_l("Note"), filters=[normalize_note])
        attrs[f"aversion-{aid}"] = HiddenField(validators=[version_number])
    for row in data.indicators:
        ind = row.indicator
        choices = [(str(v), str(v)) for v in range(4)] + ([(NA, _l("N/A"))] if ind.na_allowed else [])
        attrs[f"score-{ind.id}"] = RadioField(ind.code, choices=choices, validators=[Optional()], validate_choice=False)
        attrs[f"evidence-{ind.id}"] = MultiCheckboxField(
            _l("Evidence used"), choices=[(e, EVIDENCE_LABELS[e]) for e in EVIDENCE_SOURCES], validate_choice=False)
        attrs[f"note-{ind.id}"] = NoteField(_l("Note"), filters=[normalize_note])
        attrs[f"version-{ind.id}"] = HiddenField(validators=[version_number])
    return type(f"VisitForm{data.visit.id}", (VisitFormBase,), attrs)


def visit_form_data(data: VisitData) -> dict:
    """The saved results as the form's fields hold them."""
    values: dict = {}
    for row in data.actions:
        aid, result = row.action.id, row.result
        values[f"outcome-{aid}"] = (result.outcome or "") if result else ""
        values[f"anote-{aid}"] = result.note if result else ""
        values[f"aversion-{aid}"] = str(result.version) if result else ""
    for row in data.indicators:
        iid, score = row.indicator.id, row.score
        values[f"score-{iid}"] = _score_value(score)
        values[f"evidence-{iid}"] = score.evidence_list if score else []
        values[f"note-{iid}"] = score.note if score else ""
        values[f"version-{iid}"] = str(score.version) if score else ""
    return values


def _score_value(score) -> str:
    if score is None:
        return ""
    return NA if score.not_applicable else ("" if score.value is None else str(score.value))


def _int(raw: str | None) -> int | None:
    return int_or_none((raw or "").strip())


def _note(raw: str | None) -> str:
    return (normalize_note(raw) or "").strip()


def _ids(formdata: MultiDict, pattern: re.Pattern) -> list[int]:
    """The ids named by the form's field names; one that no row can have (too long for ``int``,
    or past the id columns) is -1, which the service refuses as not part of the visit."""
    found = (int_or_none(m.group(2)) for key in formdata if (m := pattern.match(key)))
    return sorted({-1 if ident is None else ident for ident in found})


def visit_inputs(formdata: MultiDict) -> tuple[list[ActionInput], list[ScoreInput]]:
    """Every action and indicator the browser sent, known to the visit or not (the service decides)."""
    action_ids = _ids(formdata, _ACTION_KEY)
    score_ids = _ids(formdata, _SCORE_KEY)
    actions = [ActionInput(aid, (formdata.get(f"outcome-{aid}") or "").strip(), _note(formdata.get(f"anote-{aid}")),
                           _int(formdata.get(f"aversion-{aid}"))) for aid in action_ids]
    scores = []
    for iid in score_ids:
        raw = (formdata.get(f"score-{iid}") or "").strip()
        number = int_or_none(raw)  # ASCII digits of bounded length only: not "²", not 5,000 nines
        value = None if raw in ("", NA) else (-1 if number is None else number)
        scores.append(ScoreInput(iid, value, raw == NA, tuple(formdata.getlist(f"evidence-{iid}")),
                                 _note(formdata.get(f"note-{iid}")), _int(formdata.get(f"version-{iid}"))))
    return actions, scores
