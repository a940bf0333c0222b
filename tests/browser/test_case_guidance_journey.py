"""Issue 4 in a real browser: case guidance beside an indicator, without losing unsaved work,
and the accent-insensitive search of the case library."""
import re
from collections.abc import Mapping
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from shelterassess.cases import queries as cases
from shelterassess.extensions import db
from tests.browser.helpers import log_in
from tests.conftest import build_world

pytestmark = pytest.mark.browser

NOTE = "Hai phòng ngủ chưa có khóa; tám giường trong một phòng."


@pytest.fixture
def sworld(app_ctx):
    w = build_world(sheet_file=None)  # the standard score sheet v1, whose indicators link to cases
    area = w.sheet.areas[0]
    ind = next(i for i in area.indicators if cases.links_for(i.key))
    case = cases.case_by_slug(cases.links_for(ind.key)[0].case)
    plain = SimpleNamespace(email=w.staff_a.email, area_id=area.id, area_title=area.title_en, ind_id=ind.id,
                            ind_code=ind.code, case_title=case.title["en"], case_lesson=case.lessons["en"][0],
                            guidance_count=len(cases.links_for(ind.key)))
    db.session.commit()
    return plain


def assert_unsaved_work_is_there(page, s):
    expect(page.get_by_role("heading", level=1)).to_contain_text(s.area_title)
    expect(page.locator(f"input[name='score-{s.ind_id}'][value='1']")).to_be_checked()
    expect(page.get_by_label(f"Note for {s.ind_code}")).to_have_value(NOTE)


def test_case_guidance_keeps_unsaved_scores(page, live_server, sworld):
    s, base = sworld, live_server
    log_in(page, base, s)
    page.get_by_role("button", name=re.compile("Start the self-assessment")).click()
    page.get_by_role("link", name="Fill in the score sheet").click()
    area_url = page.url
    assert re.search(rf"/areas/{s.area_id}$", area_url)

    indicator = page.locator(f"#ind-{s.ind_code}")
    indicator.get_by_role("radio", name=re.compile(r"^1 ")).check()  # a low score
    page.get_by_label(f"Note for {s.ind_code}").fill(NOTE)         # typed, not saved

    guidance = indicator.locator("details.case-guidance")
    case_link = guidance.get_by_role("link", name=s.case_title)
    expect(case_link).to_be_hidden()  # collapsed
    guidance.get_by_text(re.compile(r"How others did it: \d+ examples?")).click()
    expect(guidance).to_have_attribute("open", "")
    expect(case_link).to_have_attribute("target", "_blank")
    expect(case_link).to_contain_text("(opens in a new tab)")  # said to screen readers
    with page.context.expect_page() as opened:  # a new tab: the score form stays open
        case_link.click()
    case_page = opened.value
    expect(case_page.get_by_role("heading", level=1)).to_have_text(s.case_title)
    expect(case_page.get_by_role("heading", name="Lessons learned")).to_be_visible()
    expect(case_page.locator("section[aria-labelledby='lessons']")).to_contain_text(s.case_lesson)
    expect(case_page.get_by_role("heading", name="Applies to these indicators")).to_be_visible()
    expect(case_page.get_by_role("row", name=re.compile(rf"^{s.ind_code} "))).to_be_visible()
    assert case_page.evaluate("window.opener") is None  # rel=noopener
    case_page.close()

    assert page.url == area_url
    assert_unsaved_work_is_there(page, s)

    page.goto(area_url)  # a fresh load of the area page: only this browser's storage has the typing
    expect(page.locator("#restore-notice")).to_be_visible()
    assert_unsaved_work_is_there(page, s)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.reload()
    assert_unsaved_work_is_there(page, s)
    expect(page.locator("#restore-notice")).to_be_hidden()
    page.goto(area_url)
    expect(page.locator("#restore-notice")).to_be_hidden()  # the browser copy was cleared once saved
    assert_unsaved_work_is_there(page, s)


@pytest.fixture
def mworld(world):
    plain = SimpleNamespace(email=world.staff_a.email)
    db.session.commit()
    return plain


def test_case_library_search_ignores_accents(page_vi, live_server, mworld):
    page, base = page_vi, live_server
    with_phrase = [c for c in cases.all_cases() if "tham vấn" in normalize_text(c)]
    assert with_phrase, "the shipped cases should mention tham vấn"
    log_in(page, base, mworld)
    page.get_by_role("navigation").get_by_role("link", name="Thư viện mô hình").click()
    total = page.locator(".case-list > li").count()
    search = page.get_by_role("searchbox", name="Tìm kiếm")
    search.click()
    search.press_sequentially("tham van")
    page.get_by_role("search").get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("#result-count")).to_contain_text("tham van")
    titles = page.locator(".case-list > li h2 a").all_inner_texts()
    assert 0 < len(titles) < total
    for case in with_phrase:
        assert case.title["vi"] in titles
    page.get_by_role("link", name=with_phrase[0].title["vi"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(with_phrase[0].title["vi"])
    expect(page.get_by_role("main")).to_contain_text(re.compile("tham vấn", re.IGNORECASE))


def normalize_text(case) -> str:
    """Every Vietnamese text of a case, lower-cased (accents kept)."""
    parts = []
    for value in vars(case).values():
        if isinstance(value, Mapping) and "vi" in value:
            v = value["vi"]
            parts.extend(v if isinstance(v, (list, tuple)) else [v or ""])
    return " ".join(parts).lower()
