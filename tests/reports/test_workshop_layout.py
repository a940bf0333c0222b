"""The workshop pack PDF at national scale: no drawing taller than a page (ReportLab cannot lay
one out), the compliance chart split into page-sized charts, a long red-flag row split over pages."""
from __future__ import annotations

import io
import re

import flask
import pytest
from flask_babel import Babel, force_locale
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from shelterassess.charts import area_bar_chart
from shelterassess.reports.fonts import REGULAR, register_fonts
from shelterassess.reports.renderers.workshop import WorkshopRenderer


@pytest.fixture
def renderer():
    app = flask.Flask(__name__)
    Babel(app)
    register_fonts()
    with app.app_context(), force_locale("en"):
        r = WorkshopRenderer()
        r.style = r.styles()
        yield r


def tall_chart(n: int, width: float):
    return area_bar_chart([f"Area {i}" for i in range(n)], [("Self", [50.0] * n), ("Peer", [60.0] * n),
                                                           ("Agreed", [55.0] * n)],
                          title="Means", font_name=REGULAR, width=width)


def test_a_chart_taller_than_a_page_is_scaled_down_to_fit(renderer):
    drawing = tall_chart(12, renderer.content_width * 0.8)
    assert drawing.height > renderer.content_height
    fitted = renderer.chart(drawing)
    assert fitted.height <= renderer.content_height
    width, height = fitted.wrap(renderer.content_width, renderer.content_height)
    assert width <= renderer.content_width and height <= renderer.content_height


def test_a_short_chart_keeps_its_size(renderer):
    drawing = tall_chart(2, 300)
    height = drawing.height
    assert renderer.chart(drawing).height == height


def test_bars_per_page_leaves_every_chart_within_a_page(renderer):
    def chart(n):
        return area_bar_chart([f"Province {i}" for i in range(n)], [("Compliance", [50.0] * n)],
                              title="Plan compliance", font_name=REGULAR, width=renderer.content_width * 0.7)

    per_page = renderer.bars_per_page(chart(1).height, chart(2).height)
    assert per_page > 5
    assert chart(per_page).height <= renderer.content_height
    assert chart(per_page + 8).height > renderer.content_height - 40  # not needlessly small


def red_flag_table(renderer, count: int):
    codes = [f"SC-VN-{i:05d}" for i in range(count)]
    rows = [["F3 Lối thoát hiểm", count, ", ".join(codes)], ["C5 Nước sạch", 2, "SC-VN-00001, SC-VN-00002"]]
    widths = [renderer.content_width - 110 * mm, 30 * mm, 80 * mm]
    return codes, renderer.rows_may_break(renderer.table(["Indicator", "Facilities", "Codes"], rows, widths))


def test_a_red_flag_row_longer_than_a_page_goes_on_over_pages(renderer):
    codes, table = red_flag_table(renderer, 400)
    assert table.splitInRow
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4)).build([table])
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]
    assert len(pages) >= 2
    text = "\n".join(pages)
    assert re.findall(r"SC-VN-\d{5}", text) == codes + ["SC-VN-00001", "SC-VN-00002"]
    assert all("Indicator" in page for page in pages)  # the header row repeats


def test_red_flag_rows_that_fit_on_a_page_stay_whole(renderer):
    _codes, table = red_flag_table(renderer, 40)
    assert not table.splitInRow


def test_a_training_table_of_many_provinces_is_split_into_tables_that_fit_across_the_page(renderer):
    provinces = [f"Tỉnh {i:02d}" for i in range(57)]
    heads = ["Skill", *provinces, "Total", "Training scheduled"]
    rows = [["Sơ cứu", *range(57), 1596, 3], ["Total", *range(57), 1596, 3]]
    tables = [f for f in renderer.column_tables(heads, rows) if hasattr(f, "_cellvalues")]
    assert len(tables) > 1
    seen = []
    for table in tables:
        head = [cell.getPlainText() for cell in table._cellvalues[0]]
        width, _height = table.wrap(renderer.content_width, renderer.content_height)
        assert width <= renderer.content_width + 0.01
        assert head[0] == "Skill"
        seen += head[1:]
    assert seen == heads[1:]  # every province once, in order, the totals last


def test_a_training_table_of_a_few_provinces_stays_one_table(renderer):
    heads = ["Skill", "Hà Nội", "Huế", "Total", "Training scheduled"]
    assert len(renderer.column_tables(heads, [["Sơ cứu", 1, 2, 3, 1]])) == 1
