"""The audit page's filter form (read from the query string; nothing changes, so no CSRF token)."""
from __future__ import annotations

import datetime as dt

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from shelterassess.audit import labels
from shelterassess.audit.queries import AuditFilter
from shelterassess.web.forms import BaseForm
from shelterassess.web.params import int_or_none


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    since = DateField(_l("From"), validators=[Optional()], description=_l("Format: YYYY-MM-DD"))
    until = DateField(_l("To (inclusive)"), validators=[Optional()], description=_l("Format: YYYY-MM-DD"))
    email = StringField(_l("User e-mail"), validators=[Optional(), Length(max=200)],
                        filters=[lambda v: (v or "").strip().lower()])
    facility = SelectField(_l("Facility"), validate_choice=False)
    action = SelectField(_l("Event"), validate_choice=False)
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    object_type = SelectField(_l("Object"), validate_choice=False)

    def fill_choices(self, facilities) -> None:
        self.facility.choices = [("", _l("All facilities"))] + [(str(f.id), f"{f.code} · {f.name}") for f in facilities]
        self.action.choices = [("", _l("All events"))] + list(labels.ACTION_LABELS.items())
        self.outcome.choices = [("", _l("All outcomes"))] + list(labels.OUTCOME_LABELS.items())
        self.object_type.choices = [("", _l("All objects"))] + list(labels.OBJECT_LABELS.items())

    def to_filter(self) -> AuditFilter:
        """The filter from the fields that are valid (a field with an error is left out and shows its message)."""
        def ok(field) -> bool:
            return not field.errors and bool(field.data)

        since = _utc_start(self.since.data) if ok(self.since) else None
        until = _utc_start(_next_day(self.until.data)) if ok(self.until) else None
        return AuditFilter(
            since=since, until=until,
            email=self.email.data if ok(self.email) else "",
            facility_id=int_or_none(self.facility.data),
            action=self.action.data if self.action.data in labels.ACTION_LABELS else "",
            outcome=self.outcome.data if self.outcome.data in labels.OUTCOME_LABELS else "",
            object_type=self.object_type.data if self.object_type.data in labels.OBJECT_LABELS else "",
        )


def _next_day(day: dt.date) -> dt.date:
    """The day after ``day``; the last representable day stays itself (no OverflowError)."""
    return day + dt.timedelta(days=1) if day < dt.date.max else day


def _utc_start(day: dt.date) -> dt.datetime | None:
    """Midnight of ``day`` in the user's time zone, in UTC (None for dates out of range)."""
    try:
        zone = get_timezone()
        naive = dt.datetime.combine(day, dt.time.min)
        local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)  # pytz or zoneinfo
        return local.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None
