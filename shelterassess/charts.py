"""Server-side charts built with ReportLab graphics.

The same :class:`~reportlab.graphics.shapes.Drawing` is embedded in PDFs
(``renderPDF``) and inlined in web pages as SVG (:func:`to_svg`). Pass a
registered TTF font name (e.g. ``"DejaVuSans"``) so Vietnamese text renders.

Named groups let callers and tests inspect a drawing:
bar chart -> ``grid``, ``labels``, ``bars``, ``values``, ``legend`` (2+ series);
radar chart -> ``grid``, ``axis_labels``, ``polygons``, ``points``, ``legend``.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Optional, Sequence
from xml.dom import minidom  # nosec B408 # parses only ReportLab output (see svg())

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from shelterassess.comparisons.domain import round_half_up

Series = Sequence[tuple[str, Sequence[Optional[float]]]]

# Okabe-Ito colour-blind-safe palette, restricted to colours with >= 3:1
# contrast against white (WCAG 1.4.11); the Okabe-Ito orange #E69F00 (2.3:1)
# is replaced by vermillion #D55E00 (3.9:1).
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#555555")
TEXT_COLOUR = colors.HexColor("#1a1a1a")
GRID_COLOUR = colors.HexColor("#c4c4c4")
ELLIPSIS = "\u2026"
FONT_FALLBACKS = "'DejaVu Sans', Arial, sans-serif"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_FONT_FAMILY = re.compile(r"font-family: ([^;,]+);")
#: Control characters (C0 but for tab and line breaks, DEL, C1): not allowed in XML even escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")

PAD = 8
TITLE_SIZE = 11
TITLE_H = 22
LABEL_SIZE = 9
SMALL_SIZE = 8
LEGEND_ROW_H = 16
BAR_H = 11
BAR_GAP = 2
GROUP_GAP = 10
AXIS_H = 18
TICKS = (0, 20, 40, 60, 80, 100)
RINGS = (25, 50, 75, 100)


def series_colour(index: int) -> colors.Color:
    """Palette colour for the series at ``index`` (cycling)."""
    return colors.HexColor(PALETTE[index % len(PALETTE)])


def format_percent(value: float) -> str:
    """Display a percentage rounded half-up to an integer, e.g. ``"67%"``."""
    return f"{round_half_up(value, 0):.0f}%"


# --- Text fitting ---

def truncate(text: str, font_name: str, size: float, max_width: float) -> str:
    """Return ``text``, cut and suffixed with an ellipsis to fit ``max_width``."""
    if stringWidth(text, font_name, size) <= max_width:
        return text
    cut = text
    while cut and stringWidth(cut.rstrip() + ELLIPSIS, font_name, size) > max_width:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def wrap(text: str, font_name: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines``; the last line is truncated."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines - 1:
        line = words.pop(0)
        while words and stringWidth(f"{line} {words[0]}", font_name, size) <= max_width:
            line = f"{line} {words.pop(0)}"
        lines.append(truncate(line, font_name, size, max_width))
    if words:
        lines.append(truncate(" ".join(words), font_name, size, max_width))
    return lines


def printable(text: str) -> str:
    """``text`` on one line without control characters: a name typed with one (or stored before
    names refused them) must not break the SVG (invalid XML) or the PDF of a chart for everyone."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text))


def _text(x: float, y: float, text: str, font_name: str, size: float,
          anchor: str = "start") -> String:
    """A dark text string."""
    return String(x, y, printable(text), fontName=font_name, fontSize=size,
                  fillColor=TEXT_COLOUR, textAnchor=anchor)


# --- Legend ---

@dataclass(frozen=True)
class LegendEntry:
    """A legend item: a filled swatch, or a hollow circle when ``hollow``."""

    label: str
    colour: colors.Color
    hollow: bool = False


def _legend_layout(entries: Sequence[LegendEntry], font_name: str,
                   max_width: float) -> list[tuple[str, float, int]]:
    """Flow entries left to right: (fitted label, x offset, row) per entry."""
    placed: list[tuple[str, float, int]] = []
    x, row = 0.0, 0
    for entry in entries:
        label = truncate(entry.label, font_name, LABEL_SIZE, max_width - 16)
        item_w = 14 + stringWidth(label, font_name, LABEL_SIZE) + 14
        if x > 0 and x + item_w > max_width:
            x, row = 0.0, row + 1
        placed.append((label, x, row))
        x += item_w
    return placed


def _legend_rows(entries: Sequence[LegendEntry], font_name: str, max_width: float) -> int:
    """Number of legend rows needed."""
    layout = _legend_layout(entries, font_name, max_width)
    return (layout[-1][2] + 1) if layout else 0


def _legend_marker(entry: LegendEntry, x: float, y: float) -> Rect | Circle:
    """Swatch square, or hollow circle, with its baseline at ``y``."""
    if entry.hollow:
        return Circle(x + 5, y + 3.5, 3.5, fillColor=colors.white,
                      strokeColor=entry.colour, strokeWidth=1.2)
    return Rect(x, y - 1, 10, 10, fillColor=entry.colour, strokeColor=None)


def _legend(entries: Sequence[LegendEntry], font_name: str, x0: float,
            y_top: float, max_width: float) -> Group:
    """Legend group whose first row's top edge is at ``y_top``."""
    group = Group()
    for entry, (label, x, row) in zip(entries, _legend_layout(entries, font_name, max_width)):
        y = y_top - (row + 1) * LEGEND_ROW_H + 4
        group.add(_legend_marker(entry, x0 + x, y))
        group.add(_text(x0 + x + 14, y, label, font_name, LABEL_SIZE))
    return group


def _series_entries(series: Series) -> list[LegendEntry]:
    """One legend entry per series."""
    return [LegendEntry(name, series_colour(i)) for i, (name, _) in enumerate(series)]


def _check_series(labels: Sequence[str], series: Series) -> None:
    """Every series must have exactly one value per label."""
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")


def _clamp(value: float) -> float:
    """Clamp to the 0..100 axis."""
    return max(0.0, min(100.0, value))


def _new_drawing(width: float, height: float, title: str, font_name: str) -> Drawing:
    """Drawing with the (fitted) title on top and the full title remembered."""
    drawing = Drawing(width, height)
    drawing._chart_title = title
    fitted = truncate(title, font_name, TITLE_SIZE, width - 2 * PAD)
    drawing.add(_text(PAD, height - PAD - TITLE_SIZE, fitted, font_name, TITLE_SIZE), name="title")
    return drawing


# --- Horizontal bar chart ---

@dataclass(frozen=True)
class _BarLayout:
    """Geometry of a bar chart; y grows upwards (ReportLab convention)."""

    width: float
    height: float
    label_w: float
    plot_x0: float
    plot_x1: float
    plot_top: float
    plot_bottom: float
    group_h: float
    legend_rows: int

    def x_for(self, value: float) -> float:
        """x coordinate of ``value`` (0..100) on the axis."""
        return self.plot_x0 + _clamp(value) / 100 * (self.plot_x1 - self.plot_x0)


def _bar_layout(width: float, n_labels: int, n_series: int, legend_rows: int) -> _BarLayout:
    """Height grows with the number of labels and series."""
    group_h = n_series * BAR_H + (n_series - 1) * BAR_GAP + GROUP_GAP
    header = PAD + TITLE_H + legend_rows * LEGEND_ROW_H
    height = header + n_labels * group_h + AXIS_H + PAD
    label_w = width * 0.36
    return _BarLayout(
        width=width, height=height, label_w=label_w,
        plot_x0=PAD + label_w + 6, plot_x1=width - PAD - 30,
        plot_top=height - header, plot_bottom=PAD + AXIS_H,
        group_h=group_h, legend_rows=legend_rows,
    )


def _bar_grid(layout: _BarLayout, font_name: str) -> Group:
    """Vertical grid lines and tick labels every 20 points, plus the 0 axis."""
    group = Group()
    for tick in TICKS:
        x = layout.x_for(tick)
        colour = TEXT_COLOUR if tick == 0 else GRID_COLOUR
        group.add(Line(x, layout.plot_bottom, x, layout.plot_top,
                       strokeColor=colour, strokeWidth=0.6))
        group.add(_text(x, layout.plot_bottom - 11, f"{tick}%", font_name, SMALL_SIZE, "middle"))
    return group


def _bar_y(layout: _BarLayout, label_index: int, series_index: int) -> float:
    """Bottom y of the bar for (label, series)."""
    group_top = layout.plot_top - label_index * layout.group_h - GROUP_GAP / 2
    return group_top - (series_index + 1) * BAR_H - series_index * BAR_GAP


def _bar_labels(labels: Sequence[str], layout: _BarLayout, n_series: int, font_name: str) -> Group:
    """Area labels, right-aligned before the axis, centred on their group."""
    group = Group()
    for i, label in enumerate(labels):
        top = _bar_y(layout, i, 0) + BAR_H
        bottom = _bar_y(layout, i, n_series - 1)
        y = (top + bottom) / 2 - LABEL_SIZE * 0.35
        fitted = truncate(label, font_name, LABEL_SIZE, layout.label_w)
        group.add(_text(layout.plot_x0 - 6, y, fitted, font_name, LABEL_SIZE, "end"))
    return group


def _bars_and_values(series: Series, layout: _BarLayout, font_name: str,
                     na_label: str) -> tuple[Group, Group]:
    """One Rect per non-None value; a value label (or ``na_label``) per cell."""
    bars, values = Group(), Group()
    for s, (_, series_values) in enumerate(series):
        for i, value in enumerate(series_values):
            y = _bar_y(layout, i, s)
            text_y = y + BAR_H / 2 - SMALL_SIZE * 0.35
            if value is None:
                values.add(_text(layout.plot_x0 + 3, text_y, na_label, font_name, SMALL_SIZE))
                continue
            end = layout.x_for(value)
            bars.add(Rect(layout.plot_x0, y, end - layout.plot_x0, BAR_H,
                          fillColor=series_colour(s), strokeColor=None))
            values.add(_text(end + 3, text_y, format_percent(value), font_name, SMALL_SIZE))
    return bars, values


def area_bar_chart(labels: list[str], series: list[tuple[str, list[Optional[float]]]],
                   title: str, font_name: str = "Helvetica", width: float = 480,
                   na_label: str = "N/A") -> Drawing:
    """Horizontal grouped bar chart of percentages (0..100) per area.

    One group per label, one bar per series; ``None`` draws ``na_label``
    instead of a bar. A legend is drawn when there is more than one series.
    """
    _check_series(labels, series)
    entries = _series_entries(series) if len(series) > 1 else []
    rows = _legend_rows(entries, font_name, width - 2 * PAD)
    layout = _bar_layout(width, len(labels), max(len(series), 1), rows)
    drawing = _new_drawing(width, layout.height, title, font_name)
    drawing.add(_bar_grid(layout, font_name), name="grid")
    drawing.add(_bar_labels(labels, layout, max(len(series), 1), font_name), name="labels")
    bars, values = _bars_and_values(series, layout, font_name, na_label)
    drawing.add(bars, name="bars")
    drawing.add(values, name="values")
    if entries:
        legend_top = layout.height - PAD - TITLE_H
        drawing.add(_legend(entries, font_name, PAD, legend_top, width - 2 * PAD), name="legend")
    return drawing


# --- Radar (spider) chart ---

@dataclass(frozen=True)
class _Radar:
    """Radar geometry: axis i points at angle pi/2 - 2*pi*i/n (clockwise from top)."""

    cx: float
    cy: float
    radius: float
    n: int

    def point(self, axis: int, value: float) -> tuple[float, float]:
        """Coordinates of ``value`` (0..100) on axis ``axis``."""
        angle = math.pi / 2 - 2 * math.pi * axis / self.n
        r = self.radius * _clamp(value) / 100
        return self.cx + r * math.cos(angle), self.cy + r * math.sin(angle)

    def ring(self, value: float) -> list[float]:
        """Flat point list of the polygon at ``value`` on every axis."""
        return [c for axis in range(self.n) for c in self.point(axis, value)]


def _radar_grid(radar: _Radar, font_name: str) -> Group:
    """Rings at 25/50/75/100 with labels on the top axis, plus spokes."""
    group = Group()
    for value in RINGS:
        colour = TEXT_COLOUR if value == 100 else GRID_COLOUR
        group.add(Polygon(radar.ring(value), fillColor=None, strokeColor=colour, strokeWidth=0.6))
        x, y = radar.point(0, value)
        group.add(_text(x + 3, y - 8, str(value), font_name, 7))
    for axis in range(radar.n):
        x, y = radar.point(axis, 100)
        group.add(Line(radar.cx, radar.cy, x, y, strokeColor=GRID_COLOUR, strokeWidth=0.6))
    return group


def _axis_label(radar: _Radar, axis: int, text: str, font_name: str, size: float) -> Group:
    """Wrapped axis label just outside the outer ring, anchored away from the centre."""
    angle = math.pi / 2 - 2 * math.pi * axis / radar.n
    cos, sin = math.cos(angle), math.sin(angle)
    x = radar.cx + (radar.radius + 10) * cos
    y = radar.cy + (radar.radius + 10) * sin
    anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
    room = {"start": size - PAD - x, "end": x - PAD,
            "middle": min(2 * min(x, size - x) - 2 * PAD, size * 0.5)}[anchor]
    lines = wrap(text, font_name, SMALL_SIZE, max(room, 20), 3)
    line_h = SMALL_SIZE + 1.5
    if sin > 0.3:
        first = y + (len(lines) - 1) * line_h
    elif sin < -0.3:
        first = y - SMALL_SIZE
    else:
        first = y + (len(lines) - 1) * line_h / 2 - SMALL_SIZE * 0.35
    group = Group()
    for k, line in enumerate(lines):
        group.add(_text(x, first - k * line_h, line, font_name, SMALL_SIZE, anchor))
    return group


def _radar_series(radar: _Radar, series: Series) -> tuple[Group, Group]:
    """One translucent polygon per series; a point per vertex, hollow for None."""
    polygons, points = Group(), Group()
    for s, (_, values) in enumerate(series):
        colour = series_colour(s)
        coords = [radar.point(i, v or 0.0) for i, v in enumerate(values)]
        fill = colors.Color(colour.red, colour.green, colour.blue, alpha=0.15)
        polygons.add(Polygon([c for xy in coords for c in xy], fillColor=fill,
                             strokeColor=colour, strokeWidth=1.5))
        for (x, y), value in zip(coords, values):
            if value is None:
                points.add(Circle(x, y, 3.2, fillColor=colors.white,
                                  strokeColor=colour, strokeWidth=1.2))
            else:
                points.add(Circle(x, y, 2.4, fillColor=colour, strokeColor=None))
    return polygons, points


def _radar_entries(series: Series, na_label: str) -> list[LegendEntry]:
    """Series entries plus a hollow-point entry when any value is None."""
    entries = _series_entries(series)
    if any(v is None for _, values in series for v in values):
        entries.append(LegendEntry(f"{na_label} (0)", TEXT_COLOUR, hollow=True))
    return entries


def radar_chart(axes: list[str], series: list[tuple[str, list[Optional[float]]]],
                title: str, font_name: str = "Helvetica", size: float = 360,
                na_label: str = "N/A") -> Drawing:
    """Spider chart on a 0..100 scale with rings at 25/50/75/100.

    One polygon per series; ``None`` is plotted as 0 and marked with a hollow
    point. Needs at least 3 axes (use :func:`area_bar_chart` otherwise).
    """
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    _check_series(axes, series)
    entries = _radar_entries(series, na_label)
    rows = _legend_rows(entries, font_name, size - 2 * PAD)
    height = size + TITLE_H + rows * LEGEND_ROW_H
    drawing = _new_drawing(size, height, title, font_name)
    radar = _Radar(cx=size / 2, cy=size / 2, radius=size * 0.3, n=len(axes))
    drawing.add(_radar_grid(radar, font_name), name="grid")
    labels = Group()
    for i, axis in enumerate(axes):
        labels.add(_axis_label(radar, i, axis, font_name, size))
    drawing.add(labels, name="axis_labels")
    polygons, points = _radar_series(radar, series)
    drawing.add(polygons, name="polygons")
    drawing.add(points, name="points")
    drawing.add(_legend(entries, font_name, PAD, height - PAD - TITLE_H, size - 2 * PAD),
                name="legend")
    return drawing


# --- SVG for inline HTML ---

def _prefix_ids(svg: minidom.Element, prefix: str) -> None:
    """Make ids unique per chart (ReportLab always emits ``clip``/``group``)."""
    elements = [svg, *svg.getElementsByTagName("*")]
    ids = [el.getAttribute("id") for el in elements if el.hasAttribute("id")]
    for el in elements:
        if el.hasAttribute("id"):
            el.setAttribute("id", f"{prefix}-{el.getAttribute('id')}")
        for attr in ("style", "clip-path", "mask", "fill"):
            if el.hasAttribute(attr):
                value = el.getAttribute(attr)
                for old in ids:
                    value = value.replace(f"url(#{old})", f"url(#{prefix}-{old})")
                el.setAttribute(attr, value)


def _add_font_fallbacks(svg: minidom.Element) -> None:
    """Append generic fallbacks to ReportLab font names (``DejaVuSans`` is
    installed as family ``DejaVu Sans``); a page may also declare an
    ``@font-face`` for the ReportLab name itself."""
    for el in svg.getElementsByTagName("text"):
        style = el.getAttribute("style")
        el.setAttribute("style", _FONT_FAMILY.sub(
            lambda m: f"font-family: {m.group(1)}, {FONT_FALLBACKS};", style))


def _set_title(doc: minidom.Document, svg: minidom.Element, title: str, title_id: str) -> None:
    """Replace ReportLab's placeholder ``<title>``/``<desc>`` with the chart title."""
    for tag in ("title", "desc"):
        for node in list(svg.getElementsByTagName(tag)):
            node.parentNode.removeChild(node)
    element = doc.createElement("title")
    element.setAttribute("id", title_id)
    element.appendChild(doc.createTextNode(title))
    svg.insertBefore(element, svg.firstChild)


def to_svg(drawing: Drawing, title: Optional[str] = None, element_id: Optional[str] = None) -> Markup:
    """Render ``drawing`` as an inline-able, scalable, accessible ``<svg>`` string.

    No XML declaration or doctype; ``role="img"`` and ``aria-labelledby``
    pointing at a ``<title>`` holding the (escaped) chart title; ``viewBox``
    kept, fixed height removed and ``width="100%"`` so it scales. Ids are
    prefixed with ``element_id`` (default: derived from a hash of the SVG,
    so distinct charts on one page do not collide). All text is escaped by
    the XML serialiser.
    """
    if element_id is not None and not _ID.fullmatch(element_id):
        raise ValueError(f"invalid element id {element_id!r}")
    raw = _CONTROL.sub("", renderSVG.drawToString(drawing))
    title = printable(title if title is not None else getattr(drawing, "_chart_title", "") or "Chart")
    prefix = element_id or "chart-" + hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    doc = minidom.parseString(raw.encode("utf-8"))  # nosec B318 # ReportLab's own output
    svg = doc.documentElement
    _prefix_ids(svg, prefix)
    _set_title(doc, svg, title, f"{prefix}-title")
    _add_font_fallbacks(svg)
    svg.removeAttribute("height")
    svg.setAttribute("width", "100%")
    svg.setAttribute("role", "img")
    svg.setAttribute("aria-labelledby", f"{prefix}-title")
    svg.setAttribute("class", "chart")
    return Markup(svg.toxml())  # nosec B704 # ReportLab escapes every text it draws
