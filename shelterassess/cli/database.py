from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from shelterassess.extensions import db
from shelterassess.facilities.services import load_reference_data
from shelterassess.scoresheets.services import load_standard_sheets
from shelterassess.training_needs.services import seed_skills


def init_database() -> None:
    """Migrate to head, then load reference data (provinces, the standard score sheet versions 1
    and 2, the skills of capacity-building actions). Idempotent."""
    upgrade()
    load_reference_data(db.session)
    load_standard_sheets(db.session)
    seed_skills(db.session)
    db.session.commit()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and load the standard score sheet."""
    init_database()
    click.echo("Database is at the latest version; standard score sheet versions 1 and 2 loaded.")
