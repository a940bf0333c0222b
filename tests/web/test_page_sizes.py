"""Every list and national page stays under 150 KB at scale.

120 facilities (tests/list_fixtures.py: each with a staff user, a certification, self, peer and
agreed results, an accepted plan, a follow-up visit; teams of 40 and a funding round), then every
list or national page is fetched as the national team (the user list as the administrator), on
its first and on a later page; the lists that grow with the facilities must link to a next page. The sizes are printed in the failure message. Both databases
(``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.list_fixtures import grow

LIMIT = 150 * 1024
FACILITIES = 120


def _pages(w) -> dict[str, str]:
    return {
        "facilities": "/facilities/",
        "self-assessments": f"/assessments/?round={w.round.id}",
        "national comparison": f"/comparisons/rounds/{w.round.id}/national",
        "rounds": "/rounds/",
        "assessors": "/assessors/",
        "teams": f"/teams/?round={w.round.id}",
        "planned visits": "/teams/visits",
        "peer assessments": "/peer/",
        "plans": "/plans/",
        "plans of the round": f"/plans/rounds/{w.round.id}",
        "follow-ups": "/follow-ups/",
        "compliance": f"/follow-ups/compliance?round={w.round.id}",
        "training needs": "/training-needs/",
        "funding": "/funding/",
        "funding round": f"/funding/{w.funding_round.id}",
        "audit": "/audit/",
    }


@pytest.fixture
def big_world(world):
    for first in range(1, FACILITIES + 1, 40):
        grow(world, first, 40, funding_round=first + 40 > FACILITIES)
    return world


def test_every_list_and_national_page_is_under_150_kb(client, app, big_world):
    w = big_world
    login(client, w.national)
    sizes, statuses = {}, {}
    for name, url in _pages(w).items():
        for suffix in ("", "page=2"):
            full = url + (("&" if "?" in url else "?") + suffix if suffix else "")
            response = client.get(full)
            statuses[full] = response.status_code
            sizes[full] = len(response.data)
    admin = app.test_client()
    login(admin, w.admin)
    for full in ("/admin/users/", "/admin/users/?page=2"):
        response = admin.get(full)
        statuses[full], sizes[full] = response.status_code, len(response.data)
    report = "\n".join(f"{size / 1024:7.1f} KB  {url}" for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]))
    assert all(status == 200 for status in statuses.values()), {u: s for u, s in statuses.items() if s != 200}
    assert max(sizes.values()) < LIMIT, f"pages over 150 KB with {FACILITIES} facilities:\n{report}"
    print(f"\nPage sizes with {FACILITIES} facilities:\n{report}")
    # the lists that grow with the facilities show 50 rows and link to the next page
    for url, total in (("/assessors/", FACILITIES), ("/peer/", FACILITIES), (f"/funding/{w.funding_round.id}", FACILITIES),
                       ("/teams/visits", FACILITIES)):
        html = client.get(url).get_data(as_text=True)
        assert 'rel="next"' in html and f"Showing 1–50 of {total}" in html, url
    compliance = client.get(f"/follow-ups/compliance?round={w.round.id}").get_data(as_text=True)
    assert f"Showing 1–{FACILITIES // 3} of {FACILITIES // 3}" in compliance  # one visit in three is submitted
    users = admin.get("/admin/users/").get_data(as_text=True)
    assert "1–50" in users and f"{FACILITIES + 6}" in users and 'rel="next"' in users  # the admin reads Vietnamese
