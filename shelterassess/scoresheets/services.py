"""Score-sheet versions: load the shipped standard, copy to a new draft, publish.

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
    EVIDENCE_SOURCES,
    Area,
    Indicator,
    IndicatorLevel,
    ScoreSheetVersion,
    SheetStatus,
)

DATA_DIR = Path(__file__).parent / "data"
STANDARD_V1 = DATA_DIR / "standard_v1.yaml"


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
    sheet = ScoreSheetVersion(
        key=data["key"], version=data["version"],
        title_vi=data["title"]["vi"], title_en=data["title"]["en"],
        description_vi=data.get("description", {}).get("vi", ""),
        description_en=data.get("description", {}).get("en", ""),
    )
    for a_pos, area_data in enumerate(data["areas"], start=1):
        sheet.areas.append(_area_from_data(area_data, a_pos, sheet))
    session.add(sheet)
    session.flush()
    if publish:
        publish_version(session, sheet)
    return sheet


def _area_from_data(data: dict[str, Any], position: int, sheet: ScoreSheetVersion) -> Area:
    area = Area(code=data["code"], key=data["key"], position=position, title_vi=data["title"]["vi"], title_en=data["title"]["en"])
    for i_pos, ind in enumerate(data["indicators"], start=1):
        evidence = [e for e in ind.get("evidence", []) if e in EVIDENCE_SOURCES]
        indicator = Indicator(
            sheet=sheet, code=ind["code"], key=ind["key"], position=i_pos,
            text_vi=ind["text"]["vi"], text_en=ind["text"]["en"],
            guidance_vi=ind.get("guidance", {}).get("vi", ""), guidance_en=ind.get("guidance", {}).get("en", ""),
            na_allowed=bool(ind.get("na_allowed")), critical=bool(ind.get("critical")), evidence=",".join(evidence),
        )
        for level in range(4):
            text = ind["levels"][level]
            indicator.levels.append(IndicatorLevel(level=level, descriptor_vi=text["vi"], descriptor_en=text["en"]))
        area.indicators.append(indicator)
    return area


def load_standard_sheet(session: Session) -> ScoreSheetVersion:
    return load_sheet(session, read_sheet_file(STANDARD_V1))


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
    """A new draft version with the next number, copying every area, indicator and level."""
    next_version = (session.scalar(select(func.max(ScoreSheetVersion.version)).where(ScoreSheetVersion.key == source.key)) or 0) + 1
    draft = ScoreSheetVersion(
        key=source.key, version=next_version, title_vi=source.title_vi, title_en=source.title_en,
        description_vi=source.description_vi, description_en=source.description_en, copied_from_id=source.id,
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
    copy = Indicator(
        sheet=sheet, code=ind.code, key=ind.key, position=ind.position, text_vi=ind.text_vi, text_en=ind.text_en,
        guidance_vi=ind.guidance_vi, guidance_en=ind.guidance_en, na_allowed=ind.na_allowed,
        critical=ind.critical, evidence=ind.evidence,
    )
    copy.levels = [IndicatorLevel(level=lv.level, descriptor_vi=lv.descriptor_vi, descriptor_en=lv.descriptor_en) for lv in ind.levels]
    return copy


def update_indicator(session: Session, indicator: Indicator, values: dict[str, Any]) -> None:
    """Change an indicator of a draft version (text, guidance, descriptors, flags, evidence)."""
    ensure_draft(indicator.area.sheet)
    for name in ("text_vi", "text_en", "guidance_vi", "guidance_en", "na_allowed", "critical"):
        if name in values:
            setattr(indicator, name, values[name])
    if "evidence" in values:
        indicator.evidence = ",".join(e for e in values["evidence"] if e in EVIDENCE_SOURCES)
    for level in indicator.levels:
        for lang in ("vi", "en"):
            key = f"level{level.level}_{lang}"
            if key in values:
                setattr(level, f"descriptor_{lang}", values[key])
    session.flush()


def delete_draft(session: Session, sheet: ScoreSheetVersion) -> None:
    ensure_draft(sheet)
    if session.scalar(select(func.count(Round.id)).where(Round.sheet_id == sheet.id)):
        raise ValidationFailed([(None, _("This version is used by a round and cannot be deleted."))])
    for copy in session.scalars(select(ScoreSheetVersion).where(ScoreSheetVersion.copied_from_id == sheet.id)):
        copy.copied_from_id = sheet.copied_from_id
    session.delete(sheet)
    session.flush()
