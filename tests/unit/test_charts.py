"""Unit tests for shelterassess.charts (ReportLab drawings, SVG, PDF)."""
from __future__ import annotations

import re
from pathlib import Path
from xml.dom import minidom

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Group, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shelterassess.charts import (
    ELLIPSIS,
    LABEL_SIZE,
    PALETTE,
    area_bar_chart,
    radar_chart,
    to_svg,
    truncate,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
VIETNAMESE = "Cơ sở vật chất và môi trường sống"


@pytest.fixture(scope="module")
def dejavu() -> str:
    if not DEJAVU.exists():
        pytest.skip("DejaVuSans.ttf not installed")
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    return "DejaVuSans"


def strings(node: Group) -> list[str]:
    """All String texts under ``node``, recursively."""
    found: list[str] = []
    for child in node.contents:
        if isinstance(child, String):
            found.append(child.text)
        elif isinstance(child, Group):
            found.extend(strings(child))
    return found


def two_series_chart(font_name: str = "Helvetica"):
    return area_bar_chart(
        ["Safety", "Health", "Education"],
        [("Self", [66.666, None, 100.0]), ("Peer", [40.0, 55.5, 0.0])],
        "Self vs peer",
        font_name=font_name,
    )


# ---------------------------------------------------------------- bar chart

def test_bar_count_equals_non_none_values():
    drawing = two_series_chart()
    bars = [c for c in drawing.bars.contents if isinstance(c, Rect)]
    assert len(bars) == 5  # 6 cells, one None


def test_na_label_and_percent_value_labels():
    texts = strings(two_series_chart().values)
    assert texts.count("N/A") == 1
    # 66.666 -> 67%, 55.5 -> 56% (half up), 0 -> 0%
    assert {"67%", "40%", "56%", "100%", "0%"} <= set(texts)


def test_na_label_is_translatable():
    drawing = area_bar_chart(["A"], [("Self", [None])], "t", na_label="Không áp dụng")
    assert "Không áp dụng" in strings(drawing.values)
    assert drawing.bars.contents == []


def test_legend_only_with_several_series():
    drawing = two_series_chart()
    assert {"Self", "Peer"} <= set(strings(drawing.legend))
    single = area_bar_chart(["A"], [("Self", [50.0])], "t")
    assert not hasattr(single, "legend")


def test_axis_ticks_every_twenty():
    texts = strings(two_series_chart().grid)
    assert texts == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_height_grows_with_labels():
    small = area_bar_chart(["A"], [("s", [1.0])], "t")
    big = area_bar_chart(["A", "B", "C", "D"], [("s", [1.0, 2.0, 3.0, 4.0])], "t")
    assert big.height > small.height
    assert small.width == big.width == 480


def test_long_label_truncated_with_ellipsis():
    label = "A very long area label that certainly does not fit in the label column"
    drawing = area_bar_chart([label], [("s", [10.0])], "t", width=300)
    (shown,) = strings(drawing.labels)
    assert shown.endswith(ELLIPSIS) and len(shown) < len(label)
    assert pdfmetrics.stringWidth(shown, "Helvetica", LABEL_SIZE) <= 300 * 0.36


def test_truncate_keeps_short_text():
    assert truncate("Short", "Helvetica", 9, 200) == "Short"


def test_values_out_of_range_are_clamped_to_axis():
    drawing = area_bar_chart(["A"], [("s", [150.0])], "t")
    (bar,) = drawing.bars.contents
    assert bar.x + bar.width <= drawing.width


def test_series_length_mismatch_rejected():
    with pytest.raises(ValueError):
        area_bar_chart(["A", "B"], [("s", [1.0])], "t")


def test_palette_contrast_against_white_at_least_3_to_1():
    def luminance(c: colors.Color) -> float:
        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)

    for hex_colour in PALETTE:
        ratio = 1.05 / (luminance(colors.HexColor(hex_colour)) + 0.05)
        assert ratio >= 3.0, hex_colour


# ---------------------------------------------------------------- radar

def test_radar_one_polygon_per_series_and_hollow_points_for_none():
    drawing = radar_chart(
        ["Safety", "Health", "Education", "Staff"],
        [("Self", [50.0, None, 75.0, 100.0]), ("Peer", [25.0, 30.0, None, None])],
        "Radar",
    )
    assert len([p for p in drawing.polygons.contents if isinstance(p, Polygon)]) == 2
    circles = [c for c in drawing.points.contents if isinstance(c, Circle)]
    assert len(circles) == 8
    hollow = [c for c in circles if c.fillColor == colors.white]
    assert len(hollow) == 3
    # None is plotted as 0, i.e. at the centre
    assert all((c.cx, c.cy) == (drawing.width / 2, drawing.width / 2) for c in hollow)
    assert {"Self", "Peer"} <= set(strings(drawing.legend))


def test_radar_rings_and_axis_labels():
    drawing = radar_chart(["A", "B", "C"], [("Self", [10.0, 20.0, 30.0])], "R")
    rings = [p for p in drawing.grid.contents if isinstance(p, Polygon)]
    assert len(rings) == 4
    assert {"25", "50", "75", "100"} <= set(strings(drawing.grid))
    assert strings(drawing.axis_labels) == ["A", "B", "C"]


def test_radar_needs_three_axes():
    with pytest.raises(ValueError):
        radar_chart(["A", "B"], [("s", [1.0, 2.0])], "R")


# ---------------------------------------------------------------- SVG

def test_svg_is_inlineable_scalable_and_accessible():
    svg = to_svg(two_series_chart())
    assert not svg.lstrip().startswith("<?xml")
    assert "<!DOCTYPE" not in svg
    root = minidom.parseString(svg).documentElement
    assert root.tagName == "svg"
    assert root.getAttribute("viewBox").startswith("0 0 480 ")
    assert not root.hasAttribute("height")
    assert root.getAttribute("width") == "100%"
    assert root.getAttribute("role") == "img"
    title_id = root.getAttribute("aria-labelledby")
    titles = root.getElementsByTagName("title")
    assert len(titles) == 1
    assert titles[0].getAttribute("id") == title_id
    assert titles[0].firstChild.data == "Self vs peer"


def test_svg_escapes_label_and_title_text():
    drawing = area_bar_chart(
        ["<script>alert(1)</script> & co"], [("A&B", [50.0]), ("<i>", [20.0])],
        "Title <b>&</b>",
    )
    svg = to_svg(drawing)
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A&amp;B" in svg
    assert "Title &lt;b&gt;&amp;&lt;/b&gt;" in svg
    minidom.parseString(svg)  # well-formed


def test_svg_ids_are_unique_per_chart_and_references_match():
    svg_a = to_svg(two_series_chart())
    svg_b = to_svg(area_bar_chart(["X"], [("s", [1.0])], "Other"))
    ids_a = set(re.findall(r'id="([^"]+)"', svg_a))
    ids_b = set(re.findall(r'id="([^"]+)"', svg_b))
    assert ids_a and not ids_a & ids_b
    for ref in re.findall(r"url\(#([^)]+)\)", svg_a):
        assert ref in ids_a
    assert 'id="clip"' not in svg_a
    assert to_svg(two_series_chart(), element_id="area-chart").count('id="area-chart-') >= 2


def test_svg_rejects_invalid_element_id():
    with pytest.raises(ValueError):
        to_svg(two_series_chart(), element_id='x" onload="alert(1)')


def test_svg_title_override():
    svg = to_svg(two_series_chart(), title="Custom")
    assert minidom.parseString(svg).getElementsByTagName("title")[0].firstChild.data == "Custom"


def test_vietnamese_label_survives_into_svg_and_pdf(dejavu):
    bar = area_bar_chart(
        [VIETNAMESE, "An toàn"], [("Tự đánh giá", [66.7, None]), ("Đánh giá chéo", [50.0, 20.0])],
        "So sánh theo lĩnh vực", font_name=dejavu,
    )
    svg = to_svg(bar)
    assert VIETNAMESE in svg and "So sánh theo lĩnh vực" in svg
    assert "font-family: DejaVuSans" in svg
    pdf = renderPDF.drawToString(bar)
    assert pdf.startswith(b"%PDF")

    radar = radar_chart(
        [VIETNAMESE, "An toàn", "Y tế"], [("Tự đánh giá", [66.7, None, 10.0])],
        "Biểu đồ", font_name=dejavu,
    )
    assert renderPDF.drawToString(radar).startswith(b"%PDF")
    radar_svg = to_svg(radar)
    assert "Cơ sở" in radar_svg  # possibly wrapped over lines
    minidom.parseString(radar_svg)
