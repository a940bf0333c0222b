"""Role × route: every route of the app, requested as every role, gives the expected status.

Speed without sharing state: the ``world`` of conftest is built once per module; for each case
its ``setup`` runs once on that world and the database is snapshotted (tests/snapshots.py).
Every test (one case, one role) then starts from that snapshot, restored into emptied tables,
with its own freshly loaded objects and its own client: whatever an earlier role's request
changed (a round closed, a team deleted, an audit row written) is gone.

Each role signs in once, before the base snapshot: the snapshot holds what that sign-in
wrote (the user's session token, the audit row), so the role's session cookie is valid
again after every restore and each test sends it instead of signing in anew (a third less
time on PostgreSQL). A cookie older than :data:`COOKIE_REUSE` is not reused (the idle
timeout is 30 minutes): that test signs in, as every test once did.
"""
import time

import pytest

from shelterassess.extensions import db
from tests import snapshots
from tests.conftest import build_world, login, truncate_all
from tests.web.route_matrix import CASES, ROLES

SKIP_ENDPOINTS = {"static"}
#: A signed-in cookie is reused for this long after the sign-in that made it (seconds).
COOKIE_REUSE = 10 * 60
#: Work units for pytest-xdist (``--dist loadgroup``): consecutive cases, all roles of a case together.
GROUPS = 8


def test_every_route_is_in_the_matrix(app):
    covered = {(c.endpoint, c.method) for c in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "Routes missing from tests/web/route_matrix.py:\n" + "\n".join(sorted(missing))


@pytest.fixture(scope="module")
def base_world(app):
    """The conftest world, built once: its snapshot and its objects' keys."""
    with app.app_context():
        db.session.remove()
        truncate_all()
        world = build_world()
        cookies = _signed_in_cookies(app, world)
        base = snapshots.take(), snapshots.keys(vars(world)), cookies
        db.session.remove()
        truncate_all()
    return base


def _signed_in_cookies(app, world) -> dict[str, tuple[str, float]]:
    """role -> (its session cookie after signing in, when)."""
    name, cookies = app.config["SESSION_COOKIE_NAME"], {}
    for role in ROLES:
        if role != "anonymous":
            client = app.test_client()
            login(client, getattr(world, role))
            cookies[role] = (client.get_cookie(name).value, time.monotonic())
    return cookies


def _sign_in(app, client, world, role: str, cookies: dict[str, tuple[str, float]]) -> None:
    value, minted = cookies[role]
    if time.monotonic() - minted < COOKIE_REUSE:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    else:
        login(client, getattr(world, role))


@pytest.fixture(scope="module")
def _case_worlds():
    return {}


@pytest.fixture
def case_world(app_ctx, base_world, _case_worlds, case):
    """The world after ``case.setup``, restored from the case's snapshot (taken once per case)."""
    if _case_worlds.get("case") is not case:
        _case_worlds.clear()
        snapshot, world_keys, _cookies = base_world
        snapshots.restore(snapshot)
        world = snapshots.World(world_keys)
        if case.setup:
            case.setup(world)
            db.session.commit()
        case.url(world), case.data(world)  # what they create (if anything) belongs to the snapshot
        db.session.commit()
        _case_worlds.update(case=case, snapshot=snapshots.take(), keys=world.keys())
    snapshots.restore(_case_worlds["snapshot"])
    return snapshots.World(_case_worlds["keys"])


def _case_params():
    return [pytest.param(case, id=f"{case.method}-{case.endpoint}",
                         marks=pytest.mark.xdist_group(f"permission-matrix-{i * GROUPS // len(CASES)}"))
            for i, case in enumerate(CASES)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", _case_params())
def test_route_for_role(app, client, base_world, case_world, case, role):
    world = case_world
    url, data = case.url(world), case.data(world)
    if role != "anonymous":
        _sign_in(app, client, world, role, base_world[2])
    response = client.open(url, method=case.method, data=data)
    expected = case.expect[role]
    assert response.status_code == expected, f"{role} {case.method} {url}: {response.status_code}, expected {expected}"
