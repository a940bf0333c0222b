"""The audit trail (issue 11): who did what, when, from where, with what outcome.

:func:`init_app` attaches the session listeners (every create, update and delete, in the same
transaction) and the national team's page. Logins, logouts and password changes are recorded by
the auth views, denials and downloads by the hooks in :mod:`shelterassess.web`.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from shelterassess.audit import listeners
    from shelterassess.audit.views import bp
    from shelterassess.extensions import db

    listeners.register(db.session)
    app.register_blueprint(bp)
