"""Assessment rounds: a national cycle pinned to one score-sheet version."""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.db import Base, created_at, intpk, str200
from shelterassess.scoresheets.models import ScoreSheetVersion


class RoundStatus(str, enum.Enum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class Round(Base):
    __tablename__ = "round"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(unique=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet_version.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.PLANNED.value)
    opened_at: Mapped[Optional[dt.datetime]]
    closed_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]

    sheet: Mapped[ScoreSheetVersion] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN.value
