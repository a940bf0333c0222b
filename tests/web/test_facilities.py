"""Facility list, detail (contact details only for those allowed) and admin create/edit."""
from __future__ import annotations

from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.facilities.models import Facility, Province
from shelterassess.facilities.services import FacilityInput, save_facility
from tests.conftest import login


def _province(code: str) -> Province:
    return db.session.scalar(select(Province).where(Province.code == code))


def _form(w, **overrides) -> dict:
    data = {"code": "SH-HN-02", "name": "Nhà tạm lánh Hà Nội 2", "type": "shelter",
            "province_id": str(w.facility_a.province_id), "capacity": "25", "active": "y",
            "address": "Số 5 phố B", "phone": "024 555"}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count(Facility.id)))


# -- list and filters -------------------------------------------------------------

def test_list_shows_columns_but_never_contact_details(client, world):
    login(client, world.admin)
    html = client.get("/facilities/").get_data(as_text=True)
    assert "SH-A" in html and "RC-B" in html
    assert "Shelter" in html and "Reception centre" in html
    assert "Ha Noi" in html and "Lao Cai" in html
    assert "Số 1 phố A" not in html and "0241" not in html


def test_list_in_vietnamese_uses_localized_province_names(client_vi, world):
    login(client_vi, world.staff_a)
    html = client_vi.get("/facilities/").get_data(as_text=True)
    assert "Hà Nội" in html and "Lào Cai" in html


def test_filters(client, world):
    save_facility(db.session, FacilityInput("SH-OLD", "Old shelter", "shelter", world.facility_b.province_id, 5, False))
    db.session.commit()
    login(client, world.staff_b)

    def codes(query: str) -> set[str]:
        html = client.get("/facilities/" + query).get_data(as_text=True)
        return {c for c in ("SH-A", "RC-B", "SH-OLD") if f">{c}</a>" in html}

    assert codes("") == {"SH-A", "RC-B", "SH-OLD"}
    assert codes(f"?province={world.facility_b.province_id}") == {"RC-B", "SH-OLD"}
    assert codes("?type=reception_centre") == {"RC-B"}
    assert codes("?type=shelter&active=active") == {"SH-A"}
    assert codes("?active=inactive") == {"SH-OLD"}
    assert codes("?active=all") == {"SH-A", "RC-B", "SH-OLD"}
    assert codes("?q=rc-") == {"RC-B"}
    assert codes("?q=OLD SHELTER") == {"SH-OLD"}
    assert codes("?q=%25") == set()  # LIKE wildcards are searched literally
    assert codes("?province=abc&type=castle&active=maybe") == {"SH-A", "RC-B", "SH-OLD"}


# -- detail ---------------------------------------------------------------------------

def test_contact_details_hidden_from_other_facility(client, world):
    login(client, world.staff_b)
    html = client.get(f"/facilities/{world.facility_a.id}").get_data(as_text=True)
    assert "Nhà tạm lánh A" in html and "Ha Noi" in html
    assert "Số 1 phố A" not in html and "0241" not in html
    assert "Contact details are visible to the facility and the national team only" in html
    assert "Self-assessments" not in html


def test_contact_details_shown_to_own_staff_national_and_admin(app, world):
    for user in (world.staff_a, world.manager_a, world.national, world.admin):
        c = app.test_client()
        c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(c, user)
        html = c.get(f"/facilities/{world.facility_a.id}").get_data(as_text=True)
        assert "Số 1 phố A" in html and "0241" in html, user.email
        assert "Contact details are visible" not in html


def test_detail_links_self_assessments_for_own_facility_and_national(client, world):
    from shelterassess.assessments.services import start_assessment

    assessment = start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    link = f"/assessments/{assessment.id}"
    login(client, world.staff_a)
    assert link in client.get(f"/facilities/{world.facility_a.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, world.national)
    assert link in client.get(f"/facilities/{world.facility_a.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, world.admin)
    assert link not in client.get(f"/facilities/{world.facility_a.id}").get_data(as_text=True)


def test_unknown_or_non_numeric_id_is_404(client, world):
    login(client, world.admin)
    assert client.get("/facilities/999999").status_code == 404
    assert client.get("/facilities/abc").status_code == 404
    assert client.get("/facilities/999999/edit").status_code == 404
    assert client.post("/facilities/abc/edit", data=_form(world)).status_code == 404


# -- create and edit ------------------------------------------------------------------

def test_admin_creates_facility(client, world):
    login(client, world.admin)
    assert client.get("/facilities/new").status_code == 200
    response = client.post("/facilities/new", data=_form(world, code="sh-hn-02"))
    assert response.status_code == 302
    facility = db.session.scalar(select(Facility).where(Facility.code == "SH-HN-02"))
    assert facility is not None and facility.capacity == 25 and facility.active and facility.phone == "024 555"
    assert response.headers["Location"].endswith(f"/facilities/{facility.id}")


def test_duplicate_code_refused_and_nothing_saved(client, world):
    login(client, world.admin)
    before = _count()
    response = client.post("/facilities/new", data=_form(world, code="SH-A", name="Typed name"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another facility has this code." in html
    assert 'value="Typed name"' in html  # the typing is kept
    assert _count() == before


def test_bad_capacity_and_province_are_field_messages(client, world):
    login(client, world.admin)
    before = _count()
    for capacity in ("abc", "99999", "-1", ""):
        response = client.post("/facilities/new", data=_form(world, capacity=capacity))
        html = response.get_data(as_text=True)
        assert response.status_code == 200, capacity
        assert 'id="capacity-error"' in html, capacity
        assert f'value="{capacity}"' in html or capacity == "", capacity
    messages = {"abc": "Enter a whole number", "99999": "Capacity must be between 0 and 10,000.",
                "": "Enter the number of places."}
    for capacity, message in messages.items():
        html = client.post("/facilities/new", data=_form(world, capacity=capacity, name="")).get_data(as_text=True)
        error = html.split('id="capacity-error">', 1)[1].split("</p>", 1)[0]
        assert error.startswith(message) and error.count(".") == 1, error  # one message, not two
    html = client.post("/facilities/new", data=_form(world, province_id="abc", name="")).get_data(as_text=True)
    assert 'id="province_id-error"' in html  # shown together with the other fields' messages
    for province in ("999999", "abc", ""):
        response = client.post("/facilities/new", data=_form(world, province_id=province))
        html = response.get_data(as_text=True)
        assert response.status_code == 200, province
        assert 'id="province_id-error"' in html and "Choose a province." in html, province
    response = client.post("/facilities/new", data=_form(world, type="castle"))
    assert response.status_code == 200 and 'id="type-error"' in response.get_data(as_text=True)
    assert _count() == before


def test_admin_edits_facility_keeping_its_code(client, world):
    login(client, world.admin)
    page = client.get(f"/facilities/{world.facility_a.id}/edit").get_data(as_text=True)
    assert 'value="SH-A"' in page and "Số 1 phố A" in page
    data = _form(world, code="SH-A", name="Renamed", capacity="31")
    del data["active"]
    response = client.post(f"/facilities/{world.facility_a.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    facility = db.session.get(Facility, world.facility_a.id)
    assert (facility.name, facility.capacity, facility.active) == ("Renamed", 31, False)


def test_edit_to_another_facilitys_code_is_refused(client, world):
    login(client, world.admin)
    response = client.post(f"/facilities/{world.facility_a.id}/edit", data=_form(world, code="RC-B"))
    assert response.status_code == 200
    assert "Another facility has this code." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Facility, world.facility_a.id).code == "SH-A"


def test_non_admins_cannot_create_or_edit(client, world):
    for user in (world.staff_a, world.manager_a, world.national):
        login(client, user)
        assert client.get("/facilities/new").status_code == 403
        assert client.post("/facilities/new", data=_form(world)).status_code == 403
        assert client.get(f"/facilities/{world.facility_a.id}/edit").status_code == 403
        assert client.post(f"/facilities/{world.facility_a.id}/edit", data=_form(world)).status_code == 403
        client.post("/logout")
    assert _count() == 2


def test_form_marks_contact_fields_as_sensitive(client, world):
    login(client, world.admin)
    html = client.get("/facilities/new").get_data(as_text=True)
    assert "SH-HN-01" in html
    assert html.count("Sensitive: shown only to this facility") == 2
    assert 'aria-describedby="address-hint"' in html
