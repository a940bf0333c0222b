"""The ``flask --app shelterassess`` commands. They call the same services as the web."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from shelterassess.cli.backup import backup_command, restore_command
    from shelterassess.cli.database import init_db_command
    from shelterassess.cli.seed import seed_demo_command
    from shelterassess.cli.seed_scale import seed_scale_command
    from shelterassess.cli.users import create_user_command

    for command in (init_db_command, seed_demo_command, create_user_command, backup_command, restore_command,
                    seed_scale_command):
        app.cli.add_command(command)
