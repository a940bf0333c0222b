"""The roles a user can have. Plain Python: used by permissions, forms and the CLI."""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    FACILITY_STAFF = "facility_staff"
    FACILITY_MANAGER = "facility_manager"
    NATIONAL_TEAM = "national_team"
    ADMIN = "admin"

    @property
    def belongs_to_facility(self) -> bool:
        return self in (Role.FACILITY_STAFF, Role.FACILITY_MANAGER)


ROLE_LABELS_EN = {
    Role.FACILITY_STAFF: "facility staff",
    Role.FACILITY_MANAGER: "facility manager",
    Role.NATIONAL_TEAM: "national team",
    Role.ADMIN: "administrator",
}
