"""Long PDF tables: every row once, in order, with the header on every page.

The national comparison PDF lays its facilities table out page by page
(:class:`~shelterassess.reports.renderers.flowables.PagedTable`) and the self-assessment PDF
prints each indicator once in "Answers by area"; both are read back with pypdf.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from shelterassess.assessments.results import AreaRow, IndicatorRow, Results
from shelterassess.comparisons.domain import agreement_from_counts
from shelterassess.comparisons.national_data import IndicatorAgreement, NationalParams, NationalRow, NationalSummary
from shelterassess.comparisons.report_data import AreaHead
from shelterassess.reports.data import SelfAssessmentReport
from shelterassess.reports.renderers.national import NationalRenderer
from shelterassess.reports.renderers.self_assessment import SelfAssessmentRenderer

GENERATED = dt.datetime(2027, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
PROVINCES = ("Thừa Thiên Huế", "Bà Rịa–Vũng Tàu", "Hà Nội")
HEADS = ("Facility", "Province", "Overall", "Red flags")


def page_texts(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def fonts_of_text(pdf: bytes) -> set[str]:
    used: set[str] = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            used.add(str(font_dict["/BaseFont"]) if font_dict else "<none>")

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return used


# -- the national comparison: 150 facilities ---------------------------------------------

def facility_row(i: int) -> NationalRow:
    """Every 7th facility has no agreed result (a spanned cell); every 5th has red flags; some
    names are long enough to wrap."""
    name = f"Nhà tạm lánh số {i}" + (" – cơ sở tiếp nhận và hỗ trợ phụ nữ, trẻ em" if i % 4 == 0 else "")
    province = PROVINCES[i % len(PROVINCES)]
    if i % 7 == 0:
        return NationalRow(i, f"SH-{i:04d}", name, province, (None, None, None), None, False)
    flags = ("A1.2", "B2.1") if i % 5 == 0 else ()
    return NationalRow(i, f"SH-{i:04d}", name, province, (50.0, 62.5, (i % 100) * 1.0), 55.0, True, flags)


def national_summary(count: int) -> NationalSummary:
    areas = (AreaHead("a", "A", "Cơ sở vật chất"), AreaHead("b", "B", "An toàn"), AreaHead("c", "C", "Hồ sơ"))
    agreement = agreement_from_counts({(2, 2): 5, (1, 2): 3, (3, 3): 4}, min_kappa_pairs=5)
    return NationalSummary(
        language="en", round_id=1, round_name="Vòng đánh giá 2027", params=NationalParams(), province_name="",
        provinces=(), areas=areas, rows=tuple(facility_row(i) for i in range(1, count + 1)),
        means=(50.0, 62.5, 40.0), mean_counts=(count, count, count), overall_agreement=agreement,
        indicators=(IndicatorAgreement("A1.1", "a11", "Phòng ở sạch sẽ", agreement),), low_agreement=(),
        kappa_min_pairs=5)


def render_national(count: int) -> bytes:
    with force_locale("en"):
        return NationalRenderer(generated_at=GENERATED).render(national_summary(count))


def test_long_national_table_prints_every_facility_once_with_the_header_on_each_page(babel_ctx):
    pdf = render_national(150)
    pages = page_texts(pdf)
    codes = [f"SH-{i:04d}" for i in range(1, 151)]
    found = [(n, m.start(), m.group()) for n, text in enumerate(pages) for m in re.finditer(r"SH-\d{4}", text)]
    assert [code for _n, _pos, code in found] == codes  # each exactly once, in order
    table_pages = sorted({n for n, _pos, _code in found})
    assert len(table_pages) >= 4  # long enough to be split over several pages
    assert table_pages == list(range(table_pages[0], table_pages[-1] + 1))
    for n in table_pages:
        first_row = min(pos for page, pos, _code in found if page == n)
        head = pages[n][:first_row]
        assert all(label in head for label in HEADS), f"page {n + 1} lacks the header above its rows"
    text = "\n".join(pages)
    assert text.count("no agreed result") == len([i for i in range(1, 151) if i % 7 == 0])
    assert "2 (A1.2, B2.1)" in text and "62.5%" in text
    assert all(province in text for province in PROVINCES)
    assert all("DejaVuSans" in name for name in fonts_of_text(pdf))


def test_the_facilities_table_ends_where_the_rest_of_the_report_begins(babel_ctx):
    pages = page_texts(render_national(150))
    last = max(n for n, text in enumerate(pages) if "SH-0150" in text)
    tail = "\n".join(pages[last:])
    assert tail.index("SH-0150") < tail.index("National mean by area")


def test_a_short_national_table_fits_on_the_first_page(babel_ctx):
    pages = page_texts(render_national(3))
    assert all(code in pages[0] for code in ("SH-0001", "SH-0002", "SH-0003"))
    assert pages[0].count("Red flags") >= 1


# -- the self-assessment: 73 indicators ------------------------------------------------------

def indicator(area: int, i: int) -> IndicatorRow:
    code = f"{chr(64 + area)}{area}.{i:02d}"
    note = f"Ghi chú {code}: " + ("đã kiểm tra hồ sơ và phỏng vấn nhân viên trực ca đêm. " * (12 if i == 3 else 1))
    return IndicatorRow(code=code, key=code.lower(), text=f"Tiêu chí {code}: nơi ở an toàn và sạch sẽ",
                        critical=i == 1, value=(i % 4) if i % 9 else None, not_applicable=False,
                        evidence=["observation", "staff_interview"], note=note,
                        descriptor=f"Mức {i % 4} của {code}", red_flag_at=1 if i == 1 else 0)


def big_results() -> Results:
    sizes = (9, 8, 8, 8, 8, 8, 8, 8, 8)  # 73 indicators in 9 areas, as the standard score sheet
    areas = [AreaRow(f"{chr(64 + a)}{a}", f"Lĩnh vực {a}", 60.0, n, n, n,
                     [indicator(a, i) for i in range(1, n + 1)]) for a, n in enumerate(sizes, start=1)]
    rows = [row for area in areas for row in area.indicators]
    return Results(
        facility_code="SH-A", facility_name="Nhà tạm lánh A", round_name="Vòng đánh giá 2027",
        sheet_title="Bộ tiêu chí chuẩn", sheet_version=1, status="submitted",
        submitted_at=dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.timezone.utc), submitted_by="Quản lý A",
        overall_percentage=60.0, answered=len(rows), total=len(rows), areas=areas,
        red_flags=[r for r in rows if r.red_flag], lowest=rows[:10])


def test_every_indicator_is_answered_once_in_order(babel_ctx):
    data = big_results()
    with force_locale("en"):
        pdf = SelfAssessmentRenderer(generated_at=GENERATED).render(SelfAssessmentReport("en", data))
    text = re.sub(r"\s+", " ", "\n".join(page_texts(pdf)))
    details = text[text.index("Answers by area"):]
    rows = [row for area in data.areas for row in area.indicators]
    assert len(rows) == 73
    positions = []
    for row in rows:
        heading = f"{row.code} Tiêu chí {row.code}: nơi ở an toàn và sạch sẽ"
        assert details.count(heading) == 1, row.code
        positions.append(details.index(heading))
        assert details.count(f"Note: Ghi chú {row.code}:") == 1
        assert details.count(f"Level chosen: {row.descriptor}") == 1
    assert positions == sorted(positions)
    assert details.count("Evidence used: Observation, Staff interview") == 73
    assert "not answered" in details and "Red flag" in details
    assert all("DejaVuSans" in name for name in fonts_of_text(pdf))


def test_details_that_fit_on_one_line_and_multi_line_notes_read_the_same(babel_ctx):
    """Short details are drawn as one line, notes with line breaks stay paragraphs: both read as written."""
    data = big_results()
    first = dataclasses.replace(data.areas[0].indicators[0], note="Dòng một\nDòng hai  có hai dấu cách")
    areas = [dataclasses.replace(data.areas[0], indicators=[first, *data.areas[0].indicators[1:]]), *data.areas[1:]]
    with force_locale("en"):
        pdf = SelfAssessmentRenderer(generated_at=GENERATED).render(
            SelfAssessmentReport("en", dataclasses.replace(data, areas=areas)))
    lines = [line.strip() for page in page_texts(pdf) for line in page.splitlines()]
    assert "Note: Dòng một" in lines and "Dòng hai có hai dấu cách" in lines
    assert "Evidence used: Observation, Staff interview" in lines
    assert f"Level chosen: {first.descriptor}" in lines
