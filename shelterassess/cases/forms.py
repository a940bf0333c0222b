"""Forms of the case library: the search and filter form (GET) and the local-practice form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SearchField, SelectField, SelectMultipleField, StringField
from wtforms import widgets
from wtforms.validators import Length, Optional

from shelterassess.cases.services import TEXT_FIELDS, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, PracticeInput
from shelterassess.web.forms import BaseForm, NoteField
from shelterassess.web.params import int_or_none
from shelterassess.web.validators import no_control_characters, version_number


class LibraryFilterForm(BaseForm):
    """Read from the query string; no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)],
                    description=_l('Words in English or Vietnamese, with or without accents: "tham van" finds "tham vấn".'))
    pillar = SelectField(_l("Pillar"), validators=[Optional()], validate_choice=False)
    theme = SelectField(_l("Theme"), validators=[Optional()], validate_choice=False)
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _text(label, max_length: int = TEXT_MAX_LENGTH, field_class=NoteField, extra=()):
    return field_class(label, validators=[Optional(), Length(max=max_length), *extra],
                       filters=[lambda v: (v or "").strip()])


class PracticeForm(BaseForm):
    facility_id = SelectField(_l("Observed in facility"), coerce=int)
    # A title is a name, printed in lists and PDFs: no tabs, line breaks or invisible characters.
    title_vi = _text(_l("Title (Vietnamese)"), TITLE_MAX_LENGTH, StringField, extra=[no_control_characters])
    title_en = _text(_l("Title (English)"), TITLE_MAX_LENGTH, StringField, extra=[no_control_characters])
    summary_vi = _text(_l("Summary (Vietnamese)"))
    summary_en = _text(_l("Summary (English)"))
    what_was_done_vi = _text(_l("What was done (Vietnamese)"))
    what_was_done_en = _text(_l("What was done (English)"))
    results_vi = _text(_l("Results (Vietnamese)"))
    results_en = _text(_l("Results (English)"))
    lessons_vi = _text(_l("Lessons learned (Vietnamese)"))
    lessons_en = _text(_l("Lessons learned (English)"))
    pillars = MultiCheckboxField(_l("Pillars"), validate_choice=False)
    themes = MultiCheckboxField(_l("Themes"), validate_choice=False)
    indicator_keys = MultiCheckboxField(_l("Score-sheet indicators this practice helps with"), validate_choice=False)
    consent_given = BooleanField(_l("The facility agreed to share this practice"))
    version = HiddenField(validators=[version_number])  # "²" or 2**63: "reload the page", not a 500

    def to_input(self, known_themes=frozenset(), known_indicators=frozenset()) -> PracticeInput:
        version = self.version.data
        return PracticeInput(
            facility_id=self.facility_id.data,
            texts={f"{name}_{lang}": self[f"{name}_{lang}"].data or "" for name in TEXT_FIELDS for lang in ("vi", "en")},
            consent_given=bool(self.consent_given.data),
            pillars=tuple(self.pillars.data or ()), themes=tuple(self.themes.data or ()),
            indicator_keys=tuple(self.indicator_keys.data or ()),
            version=int_or_none(str(version)) if version else None,
            known_themes=frozenset(known_themes), known_indicators=frozenset(known_indicators),
        )


def practice_form_data(practice) -> dict:
    data = {f"{name}_{lang}": getattr(practice, f"{name}_{lang}") for name in TEXT_FIELDS for lang in ("vi", "en")}
    data.update(facility_id=practice.facility_id, consent_given=practice.consent_given,
                pillars=list(practice.pillar_list), themes=list(practice.theme_list),
                indicator_keys=list(practice.indicator_key_list), version=str(practice.version))
    return data


class EmptyForm(BaseForm):
    """CSRF only, for the publish button."""
