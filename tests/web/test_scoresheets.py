"""Score-sheet versions through HTTP: read by everyone; admins copy, edit drafts, publish, delete."""
import pytest
from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.scoresheets.models import Indicator, IndicatorLevel, ScoreSheetVersion
from tests.conftest import login

ROLES = ("staff_a", "manager_a", "staff_b", "manager_b", "national", "admin")


def _indicator_data(indicator, **changes):
    data = {"text_vi": indicator.text_vi, "text_en": indicator.text_en,
            "guidance_vi": indicator.guidance_vi, "guidance_en": indicator.guidance_en,
            "evidence": indicator.evidence_list}
    for level in indicator.levels:
        data[f"level{level.level}_vi"] = level.descriptor_vi
        data[f"level{level.level}_en"] = level.descriptor_en
    if indicator.na_allowed:
        data["na_allowed"] = "y"
    if indicator.critical:
        data["critical"] = "y"
    data.update(changes)
    return data


def _version(key: str, number: int) -> ScoreSheetVersion:
    db.session.expire_all()
    return db.session.scalar(
        select(ScoreSheetVersion).where(ScoreSheetVersion.key == key, ScoreSheetVersion.version == number))


def _snapshot(sheet: ScoreSheetVersion) -> list:
    db.session.expire_all()
    sheet = db.session.get(ScoreSheetVersion, sheet.id)
    return [(i.code, i.text_vi, i.text_en, i.guidance_vi, i.guidance_en, i.na_allowed, i.critical, i.evidence,
             [(lv.level, lv.descriptor_vi, lv.descriptor_en) for lv in i.levels]) for i in sheet.indicators]


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_are_visible_to_every_role(client, world, role):
    login(client, getattr(world, role))
    listing = client.get("/scoresheets/").get_data(as_text=True)
    assert "Test score sheet" in listing and "v1" in listing and "Published" in listing
    assert f'href="/scoresheets/{world.sheet.id}"' in listing
    page = client.get(f"/scoresheets/{world.sheet.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "For tests." in html and "The 0–3 scale" in html
    assert "Private, safe bedrooms" in html and "Look at the bedrooms." in html
    assert "Files show names" in html and "All files coded" in html  # level descriptors
    assert 'class="badge flag">critical' in html and "Document review" in html
    assert ("New draft from this version" in listing) is (role == "admin")
    assert "Edit indicator" not in html  # published: nobody edits


def test_detail_uses_the_site_language(client_vi, world):
    login(client_vi, world.staff_a)
    html = client_vi.get(f"/scoresheets/{world.sheet.id}").get_data(as_text=True)
    assert "Phòng ngủ riêng tư và an toàn" in html and "Private, safe bedrooms" not in html


def test_list_counts_areas_and_indicators(client, world):
    login(client, world.national)
    html = client.get("/scoresheets/").get_data(as_text=True)
    assert "<td>2</td>\n      <td>4</td>" in html


def test_published_version_refuses_indicator_edits(client, world):
    login(client, world.admin)
    indicator = world.sheet.indicators[0]
    before = _snapshot(world.sheet)
    r = client.get(f"/scoresheets/indicators/{indicator.id}/edit", follow_redirects=True)
    assert "A published score sheet cannot be changed" in r.get_data(as_text=True)
    r = client.post(f"/scoresheets/indicators/{indicator.id}/edit",
                    data=_indicator_data(indicator, text_en="Changed", critical="y"))
    assert r.status_code == 302 and r.headers["Location"].startswith(f"/scoresheets/{world.sheet.id}")
    assert _snapshot(world.sheet) == before


def test_admin_copies_edits_and_publishes_a_new_version(client, world):
    login(client, world.admin)
    v1_before = _snapshot(world.sheet)
    r = client.post(f"/scoresheets/{world.sheet.id}/copy")
    v2 = _version("mini", 2)
    assert r.status_code == 302 and r.headers["Location"] == f"/scoresheets/{v2.id}"
    assert not v2.is_published and v2.copied_from_id == world.sheet.id
    assert len(v2.areas) == len(world.sheet.areas) and len(v2.indicators) == len(world.sheet.indicators)
    levels = db.session.scalar(select(func.count(IndicatorLevel.id)).join(Indicator).where(Indicator.sheet_id == v2.id))
    assert levels == 4 * len(world.sheet.indicators)
    assert "Draft version 2 created" in client.get(r.headers["Location"]).get_data(as_text=True)

    draft_page = client.get(f"/scoresheets/{v2.id}").get_data(as_text=True)
    assert "Edit indicator A1" in draft_page and "Publish version 2" in draft_page
    assert "Delete draft version 2" in draft_page
    assert 'lang="vi"' in draft_page and "Phòng ngủ riêng tư và an toàn" in draft_page  # admins see both languages

    ind = v2.indicators[0]
    form = client.get(f"/scoresheets/indicators/{ind.id}/edit").get_data(as_text=True)
    assert "Private, safe bedrooms" in form and "Phòng ngủ riêng tư và an toàn" in form
    r = client.post(f"/scoresheets/indicators/{ind.id}/edit", data=_indicator_data(
        ind, text_en="Private, safe and lockable bedrooms", level3_vi="Tất cả phòng đều có khóa", critical="y",
        evidence=["observation", "resident_interview"]))
    assert r.status_code == 302
    changed = _version("mini", 2).indicators[0]
    assert changed.text_en == "Private, safe and lockable bedrooms" and changed.critical
    assert changed.evidence_list == ["observation", "resident_interview"]
    assert changed.levels[3].descriptor_vi == "Tất cả phòng đều có khóa"
    assert _snapshot(world.sheet) == v1_before  # v1 untouched

    r = client.post(f"/scoresheets/{v2.id}/publish")
    assert r.status_code == 302 and _version("mini", 2).is_published
    r = client.post(f"/scoresheets/indicators/{ind.id}/edit", data=_indicator_data(changed, text_en="Again"),
                    follow_redirects=True)
    assert "A published score sheet cannot be changed" in r.get_data(as_text=True)
    assert _version("mini", 2).indicators[0].text_en == "Private, safe and lockable bedrooms"


def test_bad_input_keeps_what_was_typed(client, world):
    login(client, world.admin)
    client.post(f"/scoresheets/{world.sheet.id}/copy")
    ind = _version("mini", 2).indicators[0]
    r = client.post(f"/scoresheets/indicators/{ind.id}/edit",
                    data=_indicator_data(ind, text_vi="  ", text_en="A new text I am still writing",
                                         level2_en="x" * 501))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "A new text I am still writing" in html and 'aria-invalid="true"' in html
    assert "Please correct the fields marked below." in html
    assert _version("mini", 2).indicators[0].text_en == "Private, safe bedrooms"


def test_publishing_twice_is_refused(client, world):
    login(client, world.admin)
    r = client.post(f"/scoresheets/{world.sheet.id}/publish", follow_redirects=True)
    assert "A published score sheet cannot be changed" in r.get_data(as_text=True)


def test_admin_deletes_a_draft(client, world):
    login(client, world.admin)
    client.post(f"/scoresheets/{world.sheet.id}/copy")
    v2 = _version("mini", 2)
    r = client.post(f"/scoresheets/{v2.id}/delete")
    assert r.status_code == 302 and r.headers["Location"] == "/scoresheets/"
    assert _version("mini", 2) is None
    assert db.session.scalar(select(func.count(Indicator.id))) == len(world.sheet.indicators)
    assert client.get(f"/scoresheets/{v2.id}").status_code == 404


def test_deleting_a_draft_copied_again_keeps_the_lineage(client, world):
    login(client, world.admin)
    client.post(f"/scoresheets/{world.sheet.id}/copy")
    v2 = _version("mini", 2)
    client.post(f"/scoresheets/{v2.id}/copy")
    assert client.post(f"/scoresheets/{v2.id}/delete").status_code == 302
    assert _version("mini", 3).copied_from_id == world.sheet.id


def test_deleting_a_published_version_is_refused(client, world):
    login(client, world.admin)
    r = client.post(f"/scoresheets/{world.sheet.id}/delete", follow_redirects=True)
    assert "A published score sheet cannot be changed" in r.get_data(as_text=True)
    assert _version("mini", 1) is not None


def test_deleting_a_draft_used_by_a_round_is_refused(client, world):
    from shelterassess.scoresheets.services import create_draft_copy

    draft = create_draft_copy(db.session, world.sheet)
    world.round.sheet_id = draft.id  # cannot happen through the UI; the service still guards it
    db.session.commit()
    login(client, world.admin)
    r = client.post(f"/scoresheets/{draft.id}/delete", follow_redirects=True)
    assert "used by a round" in r.get_data(as_text=True)
    assert _version("mini", 2) is not None


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_non_admins_are_refused_every_admin_action(client, world, role):
    from shelterassess.scoresheets.services import create_draft_copy

    draft = create_draft_copy(db.session, world.sheet)
    db.session.commit()
    ind = draft.indicators[0]
    before = _snapshot(draft)
    login(client, getattr(world, role))
    assert client.post(f"/scoresheets/{world.sheet.id}/copy").status_code == 403
    assert client.get(f"/scoresheets/indicators/{ind.id}/edit").status_code == 403
    edit = client.post(f"/scoresheets/indicators/{ind.id}/edit", data=_indicator_data(ind, text_en="x"))
    assert edit.status_code == 403
    assert client.post(f"/scoresheets/{draft.id}/publish").status_code == 403
    assert client.post(f"/scoresheets/{draft.id}/delete").status_code == 403
    page = client.get(f"/scoresheets/{draft.id}").get_data(as_text=True)
    assert "Edit indicator" not in page and "Publish version" not in page
    assert db.session.scalar(select(func.count(ScoreSheetVersion.id))) == 2
    assert _snapshot(draft) == before and not _version("mini", 2).is_published
