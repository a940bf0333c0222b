"""The JSON API under ``/api/v1`` (issue 13) and the personal tokens that open it.

:func:`init_app` registers the API blueprint (exempt from the CSRF check: it accepts only
``Authorization: Bearer`` tokens, never the session cookie, see :mod:`shelterassess.api.auth`),
the account page's token section (an ordinary page, CSRF-checked), JSON answers for URLs under
``/api/v1`` that match no route, and :func:`_api_request_start`.
"""
from __future__ import annotations

from flask import Flask, request

from shelterassess.api.errors import error_response, is_api_request, register_app_handlers


def init_app(app: Flask) -> None:
    from shelterassess.api.account_views import bp as tokens_bp
    from shelterassess.api.views import bp as api_bp
    from shelterassess.extensions import csrf

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    register_app_handlers(app)
    _run_first(app, _api_request_start)


def _run_first(app: Flask, function) -> None:
    """Put ``function`` before the application's other ``before_request`` functions (after the
    tests' reset of ``g`` only), so that they see an API request as anonymous and a NUL is refused
    in JSON, before the hooks that would load the cookie's user or answer with an HTML page."""
    import shelterassess

    funcs = app.before_request_funcs.setdefault(None, [])
    reset = getattr(shelterassess, "_forget_request_globals", None)
    funcs.insert(funcs.index(reset) + 1 if reset in funcs else 0, function)


def _api_request_start():
    """For ``/api/v1`` only: nobody is signed in until the token says who (the cookie is never
    read, see :mod:`shelterassess.api.auth`), and a NUL anywhere in the path or query string is a
    JSON 400 (the database cannot store it; JSON bodies are checked by :mod:`shelterassess.api.inputs`)."""
    if not is_api_request():
        return None
    from flask import g

    from shelterassess.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    values = [request.path, *(text for key, items in request.args.lists() for text in (key, *items))]
    if any("\x00" in value for value in values):
        return error_response(400, "The request contains a NUL character, which cannot be stored.")
    return None
