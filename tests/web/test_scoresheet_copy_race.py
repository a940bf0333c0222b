"""Two "copy as a new draft" clicks at the same instant (a served app, real threads, SQLite and
PostgreSQL) give two drafts numbered one after the other: never the same number (a unique-
constraint error, a 500 before the versions were locked)."""
from __future__ import annotations

from sqlalchemy import select

from shelterassess.extensions import db
from shelterassess.scoresheets.models import ScoreSheetVersion
from tests.served import Client, run_together, served  # noqa: F401 (fixture)


def test_parallel_copies_get_consecutive_version_numbers(served, world):  # noqa: F811
    people = [Client(served, world.admin) for _ in range(3)]
    results = run_together(*[lambda c=c: c.post(f"/scoresheets/{world.sheet.id}/copy") for c in people], gap=0)
    assert [status for status, _body in results] == [302, 302, 302], [body[:300] for _s, body in results]
    db.session.expire_all()
    versions = db.session.scalars(select(ScoreSheetVersion.version)
                                  .where(ScoreSheetVersion.key == world.sheet.key)).all()
    assert sorted(versions) == [world.sheet.version + k for k in range(4)]
