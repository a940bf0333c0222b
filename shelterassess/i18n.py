"""Language choice and helpers for bilingual stored text.

Interface strings go through Flask-Babel (``_`` in requests, ``_l`` at import time).
Content written in both languages (score sheets, cases) is stored in ``*_vi`` /
``*_en`` columns and picked with :func:`localized`.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LOCALE_SESSION_KEY = "locale"


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then Accept-Language.

    Outside a request (CLI commands) messages are in English.
    """
    supported = supported_locales()
    if not has_request_context():
        return "en"  # command-line messages
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    if session.get(LOCALE_SESSION_KEY) in supported:
        return session[LOCALE_SESSION_KEY]
    for language, _quality in request.accept_languages:  # best first
        primary = language.split("-")[0].split("_")[0].lower()
        if primary in supported:
            return primary
    return supported[0]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["LANGUAGES"][0]


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>_<lang>`` in the current language, falling back to the other one."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", None)
    if value:
        return value
    for other in supported_locales():
        value = getattr(obj, f"{field}_{other}", None)
        if value:
            return value
    return ""


def pick(texts: dict[str, Any] | None, language: str | None = None) -> Any:
    """Pick from a ``{"vi": ..., "en": ...}`` mapping (data files)."""
    if not texts:
        return ""
    language = language or current_language()
    return texts.get(language) or next(iter(texts.values()))
