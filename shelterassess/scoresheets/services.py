"""Score-sheet versions: load the shipped standard (v1 and v2), copy to a new draft, publish.

A published version is immutable: every write here checks :func:`ensure_draft`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import (
    CROSSWALK_RELATIONS,
    EVIDENCE_SOURCES,
    RED_FLAG_LEVELS,
    Area,
    Indicator,
    IndicatorLevel,
    ScoreSheetVersion,
    SheetStatus,
)

DATA_DIR = Path(__file__).parent / "data"
STANDARD_V1 = DATA_DIR / "standard_v1.yaml"
STANDARD_V2 = DATA_DIR / "standard_v2.yaml"
#: The shipped standard sheets, oldest first; the last is the current one.
STANDARD_SHEETS = (STANDARD_V1, STANDARD_V2)


def read_sheet_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_sheet(session: Session, data: dict[str, Any], publish: bool = True) -> ScoreSheetVersion:
    """Create the version described by ``data`` unless it exists already (idempotent)."""
    existing = session.scalar(
        select(ScoreSheetVersion).where(ScoreSheetVersion.key == data["key"], ScoreSheetVersion.version == data["version"])
    )
    if existing is not None:
        return existing
    crosswalk = data.get("crosswalk") or {}
    sheet = ScoreSheetVersion(
        key=data["key"], version=data["version"],
        title_vi=data["title"]["vi"], title_en=data["title"]["en"],
        description_vi=data.get("description", {}).get("vi", ""),
        description_en=data.get("description", {}).get("en", ""),
        crosswalk_from_version=crosswalk.get("from_version"),
        retired_keys=[_retired(item) for item in crosswalk.get("retired") or []] if crosswalk else None,
    )
    for a_pos, area_data in enumerate(data["areas"], start=1):
        sheet.areas.append(_area_from_data(area_data, a_pos, sheet))
    session.add(sheet)
    session.flush()
    if publish:
        publish_version(session, sheet)
    return sheet


def _retired(item: dict[str, Any]) -> dict[str, str]:
    note = item.get("note") or {}
    return {"key": item["key"], "note_vi": note.get("vi", ""), "note_en": note.get("en", "")}


def _area_from_data(data: dict[str, Any], position: int, sheet: ScoreSheetVersion) -> Area:
    area = Area(code=data["code"], key=data["key"], position=position, title_vi=data["title"]["vi"], title_en=data["title"]["en"])
    for i_pos, ind in enumerate(data["indicators"], start=1):
        indicator = _indicator_from_data(ind, i_pos, sheet)
        for level in range(4):
            text = ind["levels"][level]
            indicator.levels.append(IndicatorLevel(level=level, descriptor_vi=text["vi"], descriptor_en=text["en"]))
        area.indicators.append(indicator)
    return area


def _indicator_from_data(ind: dict[str, Any], position: int, sheet: ScoreSheetVersion) -> Indicator:
    """An indicator of a sheet file. Files without the version-2 fields load as before."""
    evidence = [e for e in ind.get("evidence", []) if e in EVIDENCE_SOURCES]
    critical = bool(ind.get("critical"))
    red_flag_at = int(ind.get("red_flag_at", 0) or 0) if critical else 0
    if red_flag_at not in RED_FLAG_LEVELS:
        raise ValueError(f"{ind['key']}: red_flag_at must be one of {RED_FLAG_LEVELS}")
    crosswalk = ind.get("crosswalk") or {}
    relation = crosswalk.get("relation", "")
    if relation and relation not in CROSSWALK_RELATIONS:
        raise ValueError(f"{ind['key']}: unknown crosswalk relation {relation!r}")
    texts = {name: ind.get(name) or {} for name in ("guidance", "na_rule", "critical_reason")}
    note = crosswalk.get("note") or {}
    return Indicator(
        sheet=sheet, code=ind["code"], key=ind["key"], position=position,
        text_vi=ind["text"]["vi"], text_en=ind["text"]["en"],
        guidance_vi=texts["guidance"].get("vi", ""), guidance_en=texts["guidance"].get("en", ""),
        na_allowed=bool(ind.get("na_allowed")), critical=critical, evidence=",".join(evidence),
        na_rule_vi=texts["na_rule"].get("vi", ""), na_rule_en=texts["na_rule"].get("en", ""),
        red_flag_at=red_flag_at,
        critical_reason_vi=texts["critical_reason"].get("vi", ""),
        critical_reason_en=texts["critical_reason"].get("en", ""),
        checklist=ind.get("checklist"),
        crosswalk_relation=relation, crosswalk_from=",".join(crosswalk.get("from") or []),
        crosswalk_note_vi=note.get("vi", ""), crosswalk_note_en=note.get("en", ""),
    )


def load_standard_sheet(session: Session) -> ScoreSheetVersion:
    """Standard score sheet version 1 (kept for the rounds that use it)."""
    return load_sheet(session, read_sheet_file(STANDARD_V1))


def load_standard_sheets(session: Session) -> ScoreSheetVersion:
    """Every shipped standard version that is missing, oldest first; returns the current one (v2)."""
    sheet = None
    for path in STANDARD_SHEETS:
        sheet = load_sheet(session, read_sheet_file(path))
    assert sheet is not None  # nosec B101 # STANDARD_SHEETS is a non-empty constant
    return sheet


def ensure_draft(sheet: ScoreSheetVersion) -> None:
    if sheet.is_published:
        raise ValidationFailed([(None, _("A published score sheet cannot be changed. Make a new draft version instead."))])


def publish_version(session: Session, sheet: ScoreSheetVersion) -> None:
    ensure_draft(sheet)
    if not sheet.areas or any(not area.indicators for area in sheet.areas):
        raise ValidationFailed([(None, _("Every area needs at least one indicator before publishing."))])
    sheet.status = SheetStatus.PUBLISHED.value
    sheet.published_at = utcnow()
    session.flush()


def create_draft_copy(session: Session, source: ScoreSheetVersion) -> ScoreSheetVersion:
    """A new draft version with the next number, copying every area, indicator and level.

    The versions of this sheet are locked first, so two copies made at the same instant get
    numbers one after the other instead of the same one (a unique-constraint error)."""
    from shelterassess.db import lock_rows

    lock_rows(session, ScoreSheetVersion,
              session.scalars(select(ScoreSheetVersion.id).where(ScoreSheetVersion.key == source.key)).all())
    next_version = (session.scalar(select(func.max(ScoreSheetVersion.version)).where(ScoreSheetVersion.key == source.key)) or 0) + 1
    draft = ScoreSheetVersion(
        key=source.key, version=next_version, title_vi=source.title_vi, title_en=source.title_en,
        description_vi=source.description_vi, description_en=source.description_en, copied_from_id=source.id,
        crosswalk_from_version=source.version, retired_keys=[],
    )
    for area in source.areas:
        new_area = Area(code=area.code, key=area.key, position=area.position, title_vi=area.title_vi, title_en=area.title_en)
        for ind in area.indicators:
            new_area.indicators.append(_copy_indicator(ind, draft))
        draft.areas.append(new_area)
    session.add(draft)
    session.flush()
    return draft


def _copy_indicator(ind: Indicator, sheet: ScoreSheetVersion) -> Indicator:
    """A copy that starts as "same" as ``ind`` in the new draft's crosswalk."""
    copy = Indicator(
        sheet=sheet, code=ind.code, key=ind.key, position=ind.position, text_vi=ind.text_vi, text_en=ind.text_en,
        guidance_vi=ind.guidance_vi, guidance_en=ind.guidance_en, na_allowed=ind.na_allowed,
        critical=ind.critical, evidence=ind.evidence, na_rule_vi=ind.na_rule_vi, na_rule_en=ind.na_rule_en,
        red_flag_at=ind.red_flag_at, critical_reason_vi=ind.critical_reason_vi,
        critical_reason_en=ind.critical_reason_en,
        checklist=dict(ind.checklist) if ind.checklist else None,
        crosswalk_relation="same", crosswalk_from=ind.key,
    )
    copy.levels = [IndicatorLevel(level=lv.level, descriptor_vi=lv.descriptor_vi, descriptor_en=lv.descriptor_en) for lv in ind.levels]
    return copy


def update_indicator(session: Session, indicator: Indicator, values: dict[str, Any]) -> None:
    """Change an indicator of a draft version (text, guidance, descriptors, flags, evidence).

    A change to the text or a descriptor turns a "same" crosswalk link into "reworded": the
    indicator is still comparable, but its wording is no longer the same.
    """
    ensure_draft(indicator.area.sheet)
    if "red_flag_at" in values and values["red_flag_at"] not in RED_FLAG_LEVELS:
        raise ValidationFailed([("red_flag_at", _("Choose a red-flag level of 0 or 1."))])
    if indicator.crosswalk_relation == "same" and _wording_changes(indicator, values):
        indicator.crosswalk_relation = "reworded"
    for name in ("text_vi", "text_en", "guidance_vi", "guidance_en", "na_allowed", "critical", "red_flag_at",
                 "na_rule_vi", "na_rule_en", "critical_reason_vi", "critical_reason_en"):
        if name in values:
            setattr(indicator, name, values[name])
    if not indicator.critical:
        indicator.red_flag_at = 0
    if "evidence" in values:
        indicator.evidence = ",".join(e for e in values["evidence"] if e in EVIDENCE_SOURCES)
    for level in indicator.levels:
        for lang in ("vi", "en"):
            key = f"level{level.level}_{lang}"
            if key in values:
                setattr(level, f"descriptor_{lang}", values[key])
    session.flush()


def _wording_changes(indicator: Indicator, values: dict[str, Any]) -> bool:
    current = {"text_vi": indicator.text_vi, "text_en": indicator.text_en}
    for level in indicator.levels:
        current[f"level{level.level}_vi"] = level.descriptor_vi
        current[f"level{level.level}_en"] = level.descriptor_en
    return any(name in values and values[name] != old for name, old in current.items())


def delete_draft(session: Session, sheet: ScoreSheetVersion) -> None:
    ensure_draft(sheet)
    if session.scalar(select(func.count(Round.id)).where(Round.sheet_id == sheet.id)):
        raise ValidationFailed([(None, _("This version is used by a round and cannot be deleted."))])
    for copy in session.scalars(select(ScoreSheetVersion).where(ScoreSheetVersion.copied_from_id == sheet.id)):
        copy.copied_from_id = sheet.copied_from_id
    session.delete(sheet)
    session.flush()
