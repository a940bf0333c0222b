"""No table has a place for a survivor's identity (name, birth date, contact, photo)."""
import re

import shelterassess.models  # noqa: F401  (every table)
from shelterassess.db import Base

FORBIDDEN = re.compile(r"(birth|dob|survivor|victim|client|resident|patient|photo|image|passport|national_id|"
                       r"id_card|gender|ethnic|religion)", re.I)
# Facility and staff contact columns are allowed: they describe facilities and accounts, not survivors.
ALLOWED = {("facility", "address"), ("facility", "phone")}


def test_no_column_could_hold_a_survivors_identity():
    offending = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if FORBIDDEN.search(column.name) and (table.name, column.name) not in ALLOWED
    ]
    assert offending == []

