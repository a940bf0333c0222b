"""Jinja globals and filters: permissions, locale-aware formatting, bilingual text."""
from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from shelterassess.auth import permissions
from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.i18n import current_language, localized, pick


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(localized=localized, pick=pick, current_language=current_language)
    app.jinja_env.filters.update(
        pct=format_pct,
        number=lambda v: "" if v is None else format_decimal(v),
        date=lambda v: "" if v is None else format_date(v, "medium"),
        datetime=lambda v: "" if v is None else format_datetime(v, "medium"),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def format_pct(value: float | None, digits: int = 1) -> str:
    """67.5 -> "67,5 %" in Vietnamese, "67.5%" in English; None -> an en dash.

    Rounded half-up once (56.25 -> 56.3); Babel gets the exact rounded ``Decimal``, so
    its own half-even rounding never applies.
    """
    if value is None:
        return "–"
    rounded = round_half_up_decimal(value, digits)
    pattern = "#,##0." + "0" * digits + "%" if digits > 0 else "#,##0%"
    return format_percent(rounded.scaleb(-2), format=pattern)


def as_date(value: dt.datetime | dt.date | None) -> str:
    return "" if value is None else format_date(value, "medium")
