"""Countries, provinces and facilities (shelters and border reception centres)."""
from __future__ import annotations

import enum
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.db import Base, created_at, intpk, str200


class FacilityType(str, enum.Enum):
    SHELTER = "shelter"
    RECEPTION_CENTRE = "reception_centre"


class Country(Base):
    __tablename__ = "country"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name_vi: Mapped[str200]
    name_en: Mapped[str200]


class Province(Base):
    __tablename__ = "province"

    id: Mapped[intpk]
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_vi: Mapped[str200]
    name_en: Mapped[str200]

    country: Mapped[Country] = relationship(lazy="joined")


class Facility(Base):
    __tablename__ = "facility"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str200]
    type: Mapped[str] = mapped_column(String(32))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), index=True)
    capacity: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    #: Sensitive: shown only to the facility's own users and the national team.
    address: Mapped[Optional[str]] = mapped_column(String(400))
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    created_at: Mapped[created_at]

    province: Mapped[Province] = relationship(lazy="joined")

    @property
    def type_enum(self) -> FacilityType:
        return FacilityType(self.type)
