"""The self-assessment journey in a real browser, in English and in Vietnamese."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.helpers import answer_area, log_in, log_out
from tests.conftest import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def sworld(app_ctx):
    return build_world(sheet_file=None)  # the real standard score sheet v1


def value_for(area_index):
    # area A (first) scores 3, every other area scores 2: A = 100 %, others 66.7 %
    return lambda ind: "3" if area_index == 0 else "2"


def expected_overall(sheet):
    n = len(sheet.areas)
    return round((100 + (n - 1) * 200 / 3) / n + 1e-9, 1)


def fill_whole_sheet(page, sheet):
    for i, area in enumerate(sheet.areas):
        assert page.locator("h1").inner_text().startswith(f"{area.code}.")
        answer_area(page, area, value_for(i))
        page.click("button[name=next][value=area]")
        page.wait_for_load_state()


def run_journey(page, base, world, texts):
    sheet = world.sheet
    log_in(page, base, world.staff_a)
    page.get_by_role("button", name=re.compile(texts["start"])).click()
    page.get_by_role("link", name=texts["fill"]).click()
    first = sheet.areas[0]
    answer_area(page, first, value_for(0))
    a1 = first.indicators[0]
    page.fill(f"textarea[name='note-{a1.id}']", "Phòng ngủ có khóa; đã xem sổ bàn giao.")
    page.get_by_role("button", name=texts["save"]).click()
    page.wait_for_load_state()
    page.reload()
    assert page.is_checked(f"input[name='score-{a1.id}'][value='3']")
    assert page.input_value(f"textarea[name='note-{a1.id}']") == "Phòng ngủ có khóa; đã xem sổ bàn giao."
    fill_whole_sheet(page, sheet)
    log_out(page)

    log_in(page, base, world.manager_a)
    page.get_by_role("link", name=re.compile(world.round.name)).first.click()
    page.get_by_role("button", name=texts["submit"]).click()
    page.wait_for_url("**/results")
    overall = page.locator("#overall").inner_text()
    return overall


def pdf_text(page, base, assessment_path, language):
    # page.request does not send the browser's Accept-Language; say it as a browser would
    response = page.request.get(f"{base}/reports{assessment_path}.pdf", headers={"Accept-Language": language})
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def test_journey_in_english(page, live_server, sworld):
    overall = run_journey(page, live_server, sworld, {
        "start": "Start the self-assessment", "fill": "Fill in the score sheet",
        "save": "Save draft", "submit": "Submit the self-assessment"})
    expected = f"{expected_overall(sworld.sheet):.1f}%"
    assert overall == expected
    assessment_path = re.search(r"(/assessments/\d+)/results", page.url).group(1)
    text = pdf_text(page, live_server, assessment_path, "en-GB")
    assert expected in text and "100.0%" in text and "66.7%" in text


def test_journey_in_vietnamese(page_vi, live_server, sworld):
    overall = run_journey(page_vi, live_server, sworld, {
        "start": "Bắt đầu tự đánh giá", "fill": "Chấm điểm theo bộ tiêu chí",
        "save": "Lưu bản nháp", "submit": "Gửi bản tự đánh giá"})
    expected = f"{expected_overall(sworld.sheet):.1f}".replace(".", ",")
    assert overall.replace("\xa0", " ").startswith(expected)
    assert page_vi.locator("html").get_attribute("lang") == "vi"
    assessment_path = re.search(r"(/assessments/\d+)/results", page_vi.url).group(1)
    text = pdf_text(page_vi, live_server, assessment_path, "vi-VN")
    first_indicator = sworld.sheet.areas[0].indicators[0].text_vi
    assert first_indicator[:25] in " ".join(text.split())


def test_typing_survives_a_session_timeout(page, live_server, sworld):
    log_in(page, live_server, sworld.staff_a)
    page.get_by_role("button", name=re.compile("Start the self-assessment")).click()
    page.get_by_role("link", name="Fill in the score sheet").click()
    area = sworld.sheet.areas[1]
    page.goto(page.url.rsplit("/", 1)[0] + f"/{area.id}")
    ind = area.indicators[0]
    page.check(f"input[name='score-{ind.id}'][value='1']")
    page.fill(f"textarea[name='note-{ind.id}']", "Typed before the session ended")
    area_url = page.url
    page.context.clear_cookies()  # the session expires while the user types
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/login**")
    page.fill("input[name=email]", sworld.staff_a.email)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form button[type=submit]").last.click()
    page.goto(area_url)
    assert page.is_visible("#restore-notice")
    assert page.input_value(f"textarea[name='note-{ind.id}']") == "Typed before the session ended"
    assert page.is_checked(f"input[name='score-{ind.id}'][value='1']")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    page.reload()
    assert page.input_value(f"textarea[name='note-{ind.id}']") == "Typed before the session ended"
    assert not page.is_visible("#restore-notice")
