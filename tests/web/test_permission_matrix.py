"""Role × route: every route of the app, requested as every role, gives the expected status."""
import pytest

from shelterassess.extensions import db
from tests.conftest import login
from tests.web.route_matrix import CASES, ROLES

SKIP_ENDPOINTS = {"static"}


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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method}-{c.endpoint}")
def test_route_for_role(client, world, case, role):
    if case.setup:
        case.setup(world)
        db.session.commit()
    url, data = case.url(world), case.data(world)
    if role != "anonymous":
        login(client, getattr(world, role))
    response = client.open(url, method=case.method, data=data)
    expected = case.expect[role]
    assert response.status_code == expected, f"{role} {case.method} {url}: {response.status_code}, expected {expected}"
