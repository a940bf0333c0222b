from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from shelterassess.auth import services
from shelterassess.auth.roles import Role
from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility


def activation_url(token: str) -> str:
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        return url_for("auth.activate", token=token, _external=True)


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--facility", "facility_code", help="Facility code, for facility staff and managers.")
@click.option("--name", default="", help="Display name.")
@with_appcontext
def create_user_command(email: str, role: str, facility_code: str | None, name: str) -> None:
    """Create an account and print a one-time activation link (the password is set by the user)."""
    facility = None
    if facility_code:
        facility = db.session.scalar(select(Facility).where(Facility.code == facility_code.strip().upper()))
        if facility is None:
            raise click.ClickException(f"No facility with code {facility_code!r}.")
    try:
        user = services.create_user(db.session, email, Role(role), name, facility)
    except ValidationFailed as failure:
        raise click.ClickException(str(failure)) from None
    token = services.issue_activation_token(db.session, user, current_app.config["ACTIVATION_TOKEN_LIFETIME"])
    db.session.commit()
    click.echo(f"Created {user.email} ({role}). One-time activation link:")
    click.echo(activation_url(token))
