"""PDF renderers, from hand-built report data, parsed back with pypdf.

Only a bare Flask app with Flask-Babel is needed (for ``gettext`` and date
formatting); no database.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import dataclasses
from pathlib import Path

import flask
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Babel, force_locale
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from shelterassess.assessments.results import AreaRow, IndicatorRow, Results
from shelterassess.reports.data import BlankArea, BlankIndicator, BlankLevel, BlankSheetReport, SelfAssessmentReport
from shelterassess.reports.fonts import BOLD, REGULAR, register_fonts
from shelterassess.reports.renderers.blank_sheet import BlankSheetRenderer
from shelterassess.reports.renderers.components import na_label
from shelterassess.reports.renderers.self_assessment import SelfAssessmentRenderer
from shelterassess.reports.text import para_text

NASTY = 'score < 5 & <img src="/etc/hostname"/>'
CATALOG = Path(__file__).resolve().parents[2] / "shelterassess" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
GENERATED = dt.datetime(2027, 3, 4, 5, 6, tzinfo=dt.timezone.utc)


@pytest.fixture
def vi_babel_ctx(tmp_path):
    """A bare app with the Vietnamese catalogue, compiled here from messages.po (no `make` needed)."""
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    target = tmp_path / "vi" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    app = flask.Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    Babel(app)
    with app.app_context():
        yield app


# -- data builders -----------------------------------------------------------------

def indicator(code, text, value=2, critical=False, na=False, evidence=(), note="", descriptor=""):
    return IndicatorRow(code=code, key=code.lower(), text=text, critical=critical, value=value, not_applicable=na,
                        evidence=list(evidence), note=note, descriptor=descriptor)


def results(status="submitted") -> Results:
    i11 = indicator("A1.1", "Phòng ở sạch sẽ, thông thoáng", 3, descriptor="Luôn sạch sẽ và thông thoáng",
                    evidence=["observation", "staff_interview"], note="Đã kiểm tra tất cả các phòng.")
    i12 = indicator("A1.2", "Có lối thoát hiểm", 0, critical=True, descriptor="Không có lối thoát hiểm")
    i13 = indicator("A1.3", "Khu vực vui chơi cho trẻ em", None, na=True)
    i21 = indicator("B2.1", "Hồ sơ được cất giữ an toàn", 1, descriptor="Một phần", note=NASTY)
    i22 = indicator("B2.2", "Nhân viên được tập huấn về bảo mật", None)
    areas = [
        AreaRow("A1", "Cơ sở vật chất", 50.0, 3, 2, 3, [i11, i12, i13]),
        AreaRow("B2", "Bảo mật thông tin", 33.33333, 1, 1, 2, [i21, i22]),
    ]
    return Results(
        facility_code="SH-A", facility_name="Nhà tạm lánh A", round_name="Vòng đánh giá 2027",
        sheet_title="Bộ tiêu chí chuẩn", sheet_version=1, status=status,
        submitted_at=dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.timezone.utc), submitted_by="Quản lý A",
        overall_percentage=41.666666, answered=4, total=5, areas=areas,
        red_flags=[i12], lowest=[i12, i21, i11],
    )


def levels(code):
    return tuple(BlankLevel(n, f"Mức {n} của {code}") for n in range(4))


def blank_sheet(n_per_area=2) -> BlankSheetReport:
    def ind(code, critical=False, na=False):
        return BlankIndicator(code, f"Tiêu chí {code}: đảm bảo an toàn", critical, na, ("observation",), levels(code))

    areas = (
        BlankArea("A1", "Cơ sở vật chất",
                  (ind("A1.1"), ind("A1.2", critical=True), ind("A1.3", na=True))
                  + tuple(ind(f"A1.{i}") for i in range(4, 4 + n_per_area))),
        BlankArea("B2", "Bảo mật thông tin", (ind("B2.1", na=True), ind("B2.2"))),
    )
    return BlankSheetReport("en", "SH-A", "Nhà tạm lánh A", 7, "Vòng đánh giá 2027", "Bộ tiêu chí chuẩn", 3, areas)


# -- PDF helpers ---------------------------------------------------------------------

def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader(pdf).pages]


def full_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def flat_text(pdf: bytes) -> str:
    """All text with runs of whitespace (including wrapped lines) as one space."""
    return re.sub(r"\s+", " ", full_text(pdf))


def font_resources(pdf: bytes) -> set[str]:
    names = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def fonts_of_text(pdf: bytes) -> set[str]:
    """The font of every non-blank piece of text on every page."""
    used: set[str] = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            used.add(str(font_dict["/BaseFont"]) if font_dict else "<none>")

    for page in reader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return used


def render_self(babel_ctx, status="submitted", language="en") -> bytes:
    with force_locale(language):
        return SelfAssessmentRenderer(generated_at=GENERATED).render(SelfAssessmentReport(language, results(status)))


def render_blank(babel_ctx, data=None) -> bytes:
    with force_locale("en"):
        return BlankSheetRenderer(generated_at=GENERATED).render(data or blank_sheet())


# -- text helpers ----------------------------------------------------------------------

def test_para_text_escapes_markup_and_keeps_newlines():
    assert para_text(NASTY) == 'score &lt; 5 &amp; &lt;img src="/etc/hostname"/&gt;'
    assert para_text("a\nb\r\nc") == "a<br/>b<br/>c"
    assert para_text(None) == ""


def test_para_text_composes_vietnamese_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Cơ sở vật chất")
    assert para_text(decomposed) == "Cơ sở vật chất"
    assert para_text(decomposed) != decomposed


def test_register_fonts_is_idempotent():
    register_fonts()
    register_fonts()
    names = pdfmetrics.getRegisteredFontNames()
    assert REGULAR in names and BOLD in names
    assert pdfmetrics.getFont(BOLD).face.name


# -- self-assessment -------------------------------------------------------------------

def test_self_assessment_keeps_vietnamese_diacritics(babel_ctx):
    text = full_text(render_self(babel_ctx))
    for phrase in ("Cơ sở vật chất", "Bảo mật thông tin", "Nhà tạm lánh A", "Quản lý A",
                   "Phòng ở sạch sẽ, thông thoáng",
                   "Luôn sạch sẽ và thông thoáng", "Đã kiểm tra tất cả các phòng."):
        assert phrase in text


def test_self_assessment_embeds_dejavu_and_no_helvetica(babel_ctx):
    pdf = render_self(babel_ctx)
    resources = font_resources(pdf)
    assert any(name.endswith("+DejaVuSans") for name in resources)
    assert any(name.endswith("+DejaVuSans-Bold") for name in resources)
    assert not any("Helvetica" in name for name in resources)
    assert all("DejaVuSans" in name for name in fonts_of_text(pdf))
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # the TrueType program is embedded


def test_user_text_is_printed_literally(babel_ctx):
    pdf = render_self(babel_ctx)
    assert NASTY in full_text(pdf)
    for page in reader(pdf).pages:
        assert "/XObject" not in page["/Resources"]  # no image was pulled in


def test_self_assessment_shows_percentages_and_summary(babel_ctx):
    text = flat_text(render_self(babel_ctx))
    assert "41.7%" in text  # overall, one decimal like the web
    assert "50.0%" in text and "33.3%" in text  # areas
    assert "4 of 5 indicators answered" in text
    assert "Bộ tiêu chí chuẩn, version 1" in text
    assert "Submitted" in text


def test_self_assessment_shows_every_indicator_and_answer_state(babel_ctx):
    text = flat_text(render_self(babel_ctx))
    for code in ("A1.1", "A1.2", "A1.3", "B2.1", "B2.2"):
        assert code in text
    assert "3/3" in text and "0/3" in text
    assert "N/A" in text
    assert "not answered" in text
    assert "Observation, Staff interview" in text
    assert "Red flag" in text


def test_self_assessment_footer_and_metadata(babel_ctx):
    pdf = render_self(babel_ctx)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Facility-level information only. Contains no client data." in text
        assert f"Page {number}" in text
        assert "Generated" in text
    meta = reader(pdf).metadata
    assert meta.title == "Self-assessment report: SH-A – Vòng đánh giá 2027"
    assert meta.author == "ShelterAssess"


def test_draft_is_marked(babel_ctx):
    text = full_text(render_self(babel_ctx, status="draft"))
    assert "draft" in text and "Draft" in text


def test_vietnamese_locale_formats_percentages(babel_ctx):
    text = full_text(render_self(babel_ctx, language="vi"))
    assert re.search(r"41,7\s?%", text)
    assert reader(render_self(babel_ctx, language="vi")).trailer["/Root"]["/Lang"] == "vi"


# -- blank sheet -------------------------------------------------------------------------

def test_blank_sheet_lists_every_indicator_and_header(babel_ctx):
    data = blank_sheet()
    text = flat_text(render_blank(babel_ctx, data))
    for area in data.areas:
        assert area.title in text
        for ind in area.indicators:
            assert ind.code in text
            for level in ind.levels:
                assert level.descriptor in text
    for phrase in ("SH-A – Nhà tạm lánh A", "Vòng đánh giá 2027", "Bộ tiêu chí chuẩn, version 3", "Date of visit",
                   "assessors, not residents", "Critical indicator"):
        assert phrase in text


def test_blank_sheet_offers_na_only_where_allowed(babel_ctx):
    data = blank_sheet()
    text = full_text(render_blank(babel_ctx, data))
    allowed = sum(ind.na_allowed for area in data.areas for ind in area.indicators)
    assert allowed == 2
    assert text.count("N/A") == allowed


def test_blank_sheet_warns_against_resident_details(babel_ctx):
    text = flat_text(render_blank(babel_ctx))
    assert "Do not write any resident's name or identifying details on this sheet." in text
    assert "Facility-level information only. Contains no client data." in text


def test_blank_sheet_fonts(babel_ctx):
    pdf = render_blank(babel_ctx)
    assert not any("Helvetica" in name for name in font_resources(pdf))
    assert all("DejaVuSans" in name for name in fonts_of_text(pdf))


def test_blank_sheet_never_splits_an_indicator(babel_ctx):
    data = blank_sheet(n_per_area=12)
    pages = page_texts(render_blank(babel_ctx, data))
    assert len(pages) > 2
    for ind in (i for area in data.areas for i in area.indicators):
        first = [n for n, text in enumerate(pages) if f"Mức 0 của {ind.code}\n" in text + "\n"]
        last = [n for n, text in enumerate(pages) if f"Mức 3 của {ind.code}\n" in text + "\n"]
        notes = [n for n, text in enumerate(pages) if f"Tiêu chí {ind.code}:" in text]
        assert len(first) == len(last) == len(notes) == 1
        assert first == last == notes


def test_vietnamese_blank_sheet_keeps_the_na_label_whole(vi_babel_ctx):
    """D6, H5 and H6 of the standard sheet printed "Không áp dụng" one syllable piece per line."""
    label = "Không áp dụng"
    with_na = dataclasses.replace(blank_sheet(), language="vi")
    without_na = dataclasses.replace(with_na, areas=tuple(
        dataclasses.replace(area, indicators=tuple(dataclasses.replace(i, na_allowed=False) for i in area.indicators))
        for area in with_na.areas))
    with force_locale("vi"):
        assert na_label() == label  # the catalogue is loaded
        text = full_text(BlankSheetRenderer(generated_at=GENERATED).render(with_na))
        baseline = full_text(BlankSheetRenderer(generated_at=GENERATED).render(without_na))
    allowed = sum(ind.na_allowed for area in with_na.areas for ind in area.indicators)
    # each N/A row prints the label and "Không áp dụng tại cơ sở này", both as whole words on one line
    assert text.count(label) - baseline.count(label) == 2 * allowed
    assert text.count(f"{label}: {label} tại cơ sở này") == allowed
    fragments = [line for line in text.splitlines() if line.strip() and line.strip() in label and line.strip() != label]
    assert not fragments


def test_blank_sheet_escapes_sheet_text(babel_ctx):
    bad = BlankIndicator("X1", NASTY, False, False, (), tuple(BlankLevel(n, NASTY) for n in range(4)))
    data = BlankSheetReport("en", "SH-<b>", "A & B", 1, "R <1>", "T", 1, (BlankArea("X", "<Khu vực>", (bad,)),))
    text = full_text(render_blank(babel_ctx, data))
    assert NASTY in text and "<Khu vực>" in text and "SH-<b>" in text
