"""Local practices: good practice the national team found in a facility.

The ten shipped cases are data files (:mod:`shelterassess.cases.queries`); only
practices added through the app live in the database. A practice describes what
a facility does, never a resident: there is no field for client data.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.cases.domain import split_csv
from shelterassess.db import Base, created_at, intpk, utcnow
from shelterassess.facilities.models import Facility


class PracticeStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class LocalPractice(Base):
    __tablename__ = "local_practice"

    id: Mapped[intpk]
    #: Texts in Vietnamese and English; one language may be empty, not both.
    title_vi: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_vi: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    what_was_done_vi: Mapped[str] = mapped_column(Text, default="")
    what_was_done_en: Mapped[str] = mapped_column(Text, default="")
    results_vi: Mapped[str] = mapped_column(Text, default="")
    results_en: Mapped[str] = mapped_column(Text, default="")
    lessons_vi: Mapped[str] = mapped_column(Text, default="")
    lessons_en: Mapped[str] = mapped_column(Text, default="")
    #: The facility where the practice was observed.
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    #: The facility agreed to share this practice; required before publishing.
    consent_given: Mapped[bool] = mapped_column(default=False)
    #: Comma-separated slugs (see cases/data/themes.yaml) and indicator keys.
    themes: Mapped[str] = mapped_column(String(500), default="")
    pillars: Mapped[str] = mapped_column(String(100), default="")
    indicator_keys: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=PracticeStatus.DRAFT.value, index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Optimistic lock: a save carrying an older version is refused.
    version: Mapped[int] = mapped_column(default=1)

    facility: Mapped[Facility] = relationship(lazy="joined")
    created_by: Mapped[Optional[User]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED.value

    @property
    def theme_list(self) -> tuple[str, ...]:
        return split_csv(self.themes)

    @property
    def pillar_list(self) -> tuple[str, ...]:
        return split_csv(self.pillars)

    @property
    def indicator_key_list(self) -> tuple[str, ...]:
        return split_csv(self.indicator_keys)
