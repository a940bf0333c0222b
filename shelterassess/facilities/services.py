"""Facilities and their reference data. Flush only; the caller commits."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.errors import ValidationFailed
from shelterassess.facilities.models import Country, Facility, FacilityType, Province

PROVINCES_FILE = Path(__file__).parent / "data" / "provinces_vn.yaml"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def load_reference_data(session: Session, path: Path = PROVINCES_FILE) -> Country:
    """Create the country and its provinces if missing (idempotent)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    c = data["country"]
    country = session.scalar(select(Country).where(Country.code == c["code"]))
    if country is None:
        country = Country(code=c["code"], name_vi=c["vi"], name_en=c["en"])
        session.add(country)
        session.flush()
    known = set(session.scalars(select(Province.code)))
    for p in data["provinces"]:
        if p["code"] not in known:
            session.add(Province(country_id=country.id, code=p["code"], name_vi=p["vi"], name_en=p["en"]))
    session.flush()
    return country


@dataclass
class FacilityInput:
    code: str
    name: str
    type: str
    province_id: int
    capacity: int
    active: bool = True
    address: str = ""
    phone: str = ""


def _validate(session: Session, data: FacilityInput, facility: Facility | None) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if not CODE_PATTERN.match(data.code):
        errors.append(("code", _("Use 2 to 20 capital letters, digits or hyphens.")))
    clash = session.scalar(select(Facility).where(Facility.code == data.code))
    if clash is not None and clash is not facility:
        errors.append(("code", _("Another facility has this code.")))
    if data.type not in {t.value for t in FacilityType}:
        errors.append(("type", _("Choose a facility type.")))
    if session.get(Province, data.province_id) is None:
        errors.append(("province_id", _("Choose a province.")))
    if not 0 <= data.capacity <= 10000:
        errors.append(("capacity", _("Capacity must be between 0 and 10,000.")))
    return errors


def save_facility(session: Session, data: FacilityInput, facility: Facility | None = None) -> Facility:
    data.code = data.code.strip().upper()
    errors = _validate(session, data, facility)
    if errors:
        raise ValidationFailed(errors)
    facility = facility or Facility()
    for name in ("code", "name", "type", "province_id", "capacity", "active"):
        setattr(facility, name, getattr(data, name))
    facility.name = data.name.strip()
    facility.address = data.address.strip() or None
    facility.phone = data.phone.strip() or None
    session.add(facility)
    session.flush()
    return facility
