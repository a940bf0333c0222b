"""Links into a facility's comparison and trends from the pages facility users and team members
use: the self-assessment overview, the peer results page and the facility page. A link shows
exactly when the comparison's own permission rule lets the user open it."""
from __future__ import annotations

import pytest

from shelterassess.assessments import services
from shelterassess.assessments.models import AssessmentKind
from shelterassess.extensions import db
from tests.comparisons_fixtures import PEER_A, SELF_A, comparison_world, make_team, release, scored
from tests.conftest import login


@pytest.fixture
def cw(world):
    return comparison_world(world)


def _comparison(w) -> str:
    return f'href="/comparisons/facilities/{w.facility_a.id}/rounds/{w.round.id}"'


def _trends(w) -> str:
    return f'href="/comparisons/facilities/{w.facility_a.id}/trends"'


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _pages(w) -> dict[str, str]:
    return {"overview": f"/assessments/{w.self_a.id}", "facility": f"/facilities/{w.facility_a.id}"}


def test_facility_users_get_the_comparison_link_only_after_release(client, cw):
    login(client, cw.staff_a)
    for name, url in _pages(cw).items():
        html = _html(client, url)
        assert _comparison(cw) not in html, name
        assert _trends(cw) in html, name  # trends are the facility's own, released or not
    assert client.get(f"/comparisons/facilities/{cw.facility_a.id}/rounds/{cw.round.id}").status_code == 404

    release(cw.round)
    for name, url in {**_pages(cw), "results": f"/peer/results/{cw.facility_a.id}/{cw.round.id}"}.items():
        html = _html(client, url)
        assert _comparison(cw) in html and _trends(cw) in html, name
    assert client.get(f"/comparisons/facilities/{cw.facility_a.id}/rounds/{cw.round.id}").status_code == 200


def test_team_members_get_the_comparison_link_once_their_peer_assessment_is_submitted(client, world):
    north = make_team(world.round, "North team", world.manager_b, [world.staff_b], [world.facility_a])
    scored(world, world.manager_a, world.facility_a, world.round, AssessmentKind.SELF, SELF_A)
    peer = scored(world, world.manager_b, world.facility_a, world.round, AssessmentKind.PEER, PEER_A, team=north,
                  submit=False)
    db.session.commit()
    login(client, world.staff_b)
    facility_page = _html(client, f"/facilities/{world.facility_a.id}")
    assert _comparison(world) not in facility_page
    assert _trends(world) not in facility_page  # trends belong to the facility and the national team

    services.submit(db.session, world.manager_b, peer)
    db.session.commit()
    results = _html(client, f"/peer/results/{world.facility_a.id}/{world.round.id}")
    assert _comparison(world) in results and _trends(world) not in results
    assert _comparison(world) in _html(client, f"/facilities/{world.facility_a.id}")


def test_other_facilities_see_no_link(client, cw):
    release(cw.round)
    login(client, cw.staff_c)  # South team assessed B, not A
    html = _html(client, f"/facilities/{cw.facility_a.id}")
    assert _comparison(cw) not in html and _trends(cw) not in html


def test_the_national_team_gets_both_links_before_release(client, cw):
    login(client, cw.national)
    for name, url in {**_pages(cw), "results": f"/peer/results/{cw.facility_a.id}/{cw.round.id}"}.items():
        html = _html(client, url)
        assert _comparison(cw) in html and _trends(cw) in html, name
