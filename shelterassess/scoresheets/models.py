"""Versioned score sheets: version -> areas -> indicators -> level descriptors.

Text is stored in Vietnamese and English side by side (``*_vi`` / ``*_en``); use
:func:`shelterassess.i18n.localized` to pick the user's language.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.db import Base, created_at, intpk, str200

EVIDENCE_SOURCES = ("observation", "document_review", "staff_interview", "resident_interview")
#: How an indicator relates to the previous version of its score sheet (the crosswalk).
CROSSWALK_RELATIONS = ("same", "reworded", "split", "merged", "new")
#: The red-flag levels a critical indicator may have: a flag at a score <= this.
RED_FLAG_LEVELS = (0, 1)


class SheetStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ScoreSheetVersion(Base):
    __tablename__ = "score_sheet_version"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_score_sheet_version_key_version"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=SheetStatus.DRAFT.value)
    title_vi: Mapped[str200]
    title_en: Mapped[str200]
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    copied_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("score_sheet_version.id"))
    #: The version of the same key its indicators' crosswalk refers to (None: no crosswalk).
    crosswalk_from_version: Mapped[Optional[int]]
    #: Keys of that version with no successor here: [{"key", "note_vi", "note_en"}].
    retired_keys: Mapped[Optional[list[dict[str, str]]]] = mapped_column(JSON)
    published_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]

    areas: Mapped[list["Area"]] = relationship(
        back_populates="sheet", order_by="Area.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == SheetStatus.PUBLISHED.value

    @property
    def indicators(self) -> list["Indicator"]:
        return [ind for area in self.areas for ind in area.indicators]


class Area(Base):
    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("sheet_id", "code", name="uq_area_sheet_code"),)

    id: Mapped[intpk]
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet_version.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    title_vi: Mapped[str200]
    title_en: Mapped[str200]

    sheet: Mapped[ScoreSheetVersion] = relationship(back_populates="areas")
    #: loaded with the areas, all areas of a sheet in one statement (``sheet.indicators`` is read on
    #: most pages: one statement per area before)
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="area", order_by="Indicator.position", cascade="all, delete-orphan", lazy="selectin"
    )


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("sheet_id", "key", name="uq_indicator_sheet_key"),)

    id: Mapped[intpk]
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet_version.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    #: Stable across versions, so results stay comparable between rounds.
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    guidance_vi: Mapped[str] = mapped_column(Text, default="")
    guidance_en: Mapped[str] = mapped_column(Text, default="")
    na_allowed: Mapped[bool] = mapped_column(default=False)
    #: When N/A may be chosen (empty: the guidance says it, or N/A is not allowed).
    na_rule_vi: Mapped[str] = mapped_column(Text, default="", server_default="")
    na_rule_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    critical: Mapped[bool] = mapped_column(default=False)
    #: A critical indicator raises a red flag at a score <= this (0 or 1); ignored when not critical.
    red_flag_at: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Why the indicator is critical and why the flag fires at that level.
    critical_reason_vi: Mapped[str] = mapped_column(Text, default="", server_default="")
    critical_reason_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Comma-separated subset of EVIDENCE_SOURCES.
    evidence: Mapped[str] = mapped_column(String(200), default="")
    #: The visit toolkit's evidence checklist: {"documents": [{"vi", "en"}...], "file_sample":
    #: {"size", "from": {"vi", "en"}} or None, "ask": [...], "observe": [...]}.
    checklist: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    #: Crosswalk to the sheet's ``crosswalk_from_version``: one of CROSSWALK_RELATIONS ("" when
    #: the sheet has no crosswalk) and the comma-separated keys of the predecessors there.
    crosswalk_relation: Mapped[str] = mapped_column(String(12), default="", server_default="")
    crosswalk_from: Mapped[str] = mapped_column(String(500), default="", server_default="")
    crosswalk_note_vi: Mapped[str] = mapped_column(Text, default="", server_default="")
    crosswalk_note_en: Mapped[str] = mapped_column(Text, default="", server_default="")

    area: Mapped[Area] = relationship(back_populates="indicators")
    sheet: Mapped[ScoreSheetVersion] = relationship()
    levels: Mapped[list["IndicatorLevel"]] = relationship(
        order_by="IndicatorLevel.level", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def evidence_list(self) -> list[str]:
        return [e for e in self.evidence.split(",") if e]

    @property
    def predecessor_keys(self) -> list[str]:
        return [k for k in self.crosswalk_from.split(",") if k]

    def raises_red_flag(self, value: int | None) -> bool:
        """Whether ``value`` (0..3, None for N/A or unanswered) is a red flag on this indicator."""
        from shelterassess.assessments.domain import is_red_flag

        return is_red_flag(self.critical, self.red_flag_at, value)


class IndicatorLevel(Base):
    __tablename__ = "indicator_level"
    __table_args__ = (UniqueConstraint("indicator_id", "level", name="uq_indicator_level_indicator_level"),)

    id: Mapped[intpk]
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]
    descriptor_vi: Mapped[str] = mapped_column(Text)
    descriptor_en: Mapped[str] = mapped_column(Text)
