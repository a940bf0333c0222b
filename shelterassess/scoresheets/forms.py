"""Forms for editing a draft score-sheet version."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from shelterassess.assessments.forms import EVIDENCE_LABELS, MultiCheckboxField
from shelterassess.scoresheets.models import EVIDENCE_SOURCES, Indicator
from shelterassess.web.forms import BaseForm

TEXT_MAX = 500
GUIDANCE_MAX = 1000
DESCRIPTOR_MAX = 500
LEVELS = (0, 1, 2, 3)
LANGUAGES = ("vi", "en")


def _text(label, max_length: int, required: bool = True) -> TextAreaField:
    first = DataRequired() if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=max_length)])


class IndicatorForm(BaseForm):
    text_vi = _text(_l("Indicator text in Vietnamese"), TEXT_MAX)
    text_en = _text(_l("Indicator text in English"), TEXT_MAX)
    guidance_vi = _text(_l("Guidance in Vietnamese"), GUIDANCE_MAX, required=False)
    guidance_en = _text(_l("Guidance in English"), GUIDANCE_MAX, required=False)
    level0_vi = _text(_l("Level %(n)d in Vietnamese", n=0), DESCRIPTOR_MAX)
    level0_en = _text(_l("Level %(n)d in English", n=0), DESCRIPTOR_MAX)
    level1_vi = _text(_l("Level %(n)d in Vietnamese", n=1), DESCRIPTOR_MAX)
    level1_en = _text(_l("Level %(n)d in English", n=1), DESCRIPTOR_MAX)
    level2_vi = _text(_l("Level %(n)d in Vietnamese", n=2), DESCRIPTOR_MAX)
    level2_en = _text(_l("Level %(n)d in English", n=2), DESCRIPTOR_MAX)
    level3_vi = _text(_l("Level %(n)d in Vietnamese", n=3), DESCRIPTOR_MAX)
    level3_en = _text(_l("Level %(n)d in English", n=3), DESCRIPTOR_MAX)
    na_allowed = BooleanField(_l("“Not applicable” (N/A) is allowed"))
    na_rule_vi = _text(_l("When N/A applies, in Vietnamese"), GUIDANCE_MAX, required=False)
    na_rule_en = _text(_l("When N/A applies, in English"), GUIDANCE_MAX, required=False)
    critical = BooleanField(_l("Critical indicator: a low score raises a red flag"))
    red_flag_at = SelectField(_l("Red flag at"), coerce=int,
                              choices=[(0, _l("a score of 0")), (1, _l("a score of 1 or 0"))])
    critical_reason_vi = _text(_l("Why it is critical, in Vietnamese"), GUIDANCE_MAX, required=False)
    critical_reason_en = _text(_l("Why it is critical, in English"), GUIDANCE_MAX, required=False)
    evidence = MultiCheckboxField(_l("Suggested evidence sources"),
                                  choices=[(e, EVIDENCE_LABELS[e]) for e in EVIDENCE_SOURCES])

    def values(self) -> dict[str, Any]:
        """The keys :func:`shelterassess.scoresheets.services.update_indicator` takes."""
        values: dict[str, Any] = {
            name: (self[name].data or "").strip()
            for name in ("text_vi", "text_en", "guidance_vi", "guidance_en", "na_rule_vi", "na_rule_en",
                         "critical_reason_vi", "critical_reason_en")
        }
        for level in LEVELS:
            for lang in LANGUAGES:
                values[f"level{level}_{lang}"] = (self[f"level{level}_{lang}"].data or "").strip()
        values.update(na_allowed=bool(self.na_allowed.data), critical=bool(self.critical.data),
                      red_flag_at=int(self.red_flag_at.data or 0) if self.critical.data else 0,
                      evidence=list(self.evidence.data or []))
        return values


def indicator_form_data(indicator: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text_vi": indicator.text_vi, "text_en": indicator.text_en,
        "guidance_vi": indicator.guidance_vi, "guidance_en": indicator.guidance_en,
        "na_allowed": indicator.na_allowed, "critical": indicator.critical, "evidence": indicator.evidence_list,
        "red_flag_at": indicator.red_flag_at, "na_rule_vi": indicator.na_rule_vi, "na_rule_en": indicator.na_rule_en,
        "critical_reason_vi": indicator.critical_reason_vi, "critical_reason_en": indicator.critical_reason_en,
    }
    for level in indicator.levels:
        data[f"level{level.level}_vi"] = level.descriptor_vi
        data[f"level{level.level}_en"] = level.descriptor_en
    return data
