"""The baselines of ``make bench``: a bare Flask app served by gunicorn with the same settings
as the application, so each ratio isolates what the application itself adds.

* ``GET /page?size=N``: a Jinja template (a table of escaped rows, like a list page) rendered
  to exactly N bytes: Flask, Jinja, gunicorn and the transfer of a page of that size, and
  nothing else (no session, no database).
* ``POST /insert``: one ``INSERT`` into ``bench_insert`` (:data:`TABLE`) on the same PostgreSQL
  database as the application, committed: the floor of any request that saves something.
* ``GET /pdf``: a bare ReportLab document holding the same table as the facility's assessment
  PDF (the rows are read from ``BENCH_PDF_TABLE``, a JSON file the bench writes), in the same
  DejaVu fonts (Vietnamese text needs them).
* ``GET /health``: for the start-up wait.

Settings from the environment: ``BENCH_DATABASE_URL`` (psycopg URL), ``BENCH_PDF_TABLE``.
"""
from __future__ import annotations

import json
import os
from io import BytesIO
from pathlib import Path

from functools import lru_cache

from flask import Flask, Response, render_template, request
from jinja2 import DictLoader

TABLE = "bench_insert"
ROW_TEMPLATE = "<tr><td>{{ r.code }}</td><td>{{ r.name }}</td><td>{{ r.province }}</td><td>{{ r.score }}</td></tr>\n"
PAGE_TEMPLATE = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>\n"
    "<body><main><h1>{{ title }}</h1>\n<table>\n{% for r in rows %}" + ROW_TEMPLATE + "{% endfor %}</table>\n"
    "<p>{{ pad }}</p></main></body></html>\n"
)
MAX_SIZE = 5_000_000
FONT_DIR = Path(__file__).resolve().parent.parent / "shelterassess" / "static" / "fonts"

app = Flask(__name__)
app.jinja_loader = DictLoader({"page.html": PAGE_TEMPLATE})  # compiled once, cached
_pool = None


@lru_cache(maxsize=64)
def page_rows(size: int) -> tuple[list[dict], str]:
    """Rows (and padding text) that make :data:`PAGE_TEMPLATE` render to ``size`` bytes (computed
    once per size, so a request only renders)."""
    sample = {"code": "SC-VN-00001", "name": "Nhà tạm lánh VN-00001 (synthetic)", "province": "Hà Nội",
              "score": "62.5 %"}
    with app.app_context():
        empty = len(render_template("page.html", title="Bench", rows=[], pad="").encode())
        one = len(render_template("page.html", title="Bench", rows=[sample], pad="").encode()) - empty
    count = max(0, (size - empty) // one)
    rows = [dict(sample, code=f"SC-VN-{i:05d}") for i in range(count)]  # same width as the sample
    return rows, "x" * max(0, size - empty - count * one)


@app.get("/page")
def page() -> Response:
    size = min(max(request.args.get("size", 2000, type=int) or 0, 0), MAX_SIZE)
    rows, pad = page_rows(size)
    html = render_template("page.html", title="Bench", rows=rows, pad=pad)
    return Response(html, mimetype="text/html")


def _connection_pool():
    """A small pool, like the application's SQLAlchemy pool (one connection per worker here)."""
    global _pool
    if _pool is None:
        from sqlalchemy import create_engine

        url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        _pool = create_engine(url, pool_pre_ping=True)
    return _pool


def ensure_table(url: str) -> None:
    """Create (or empty) the insert table; the bench calls it once before the server starts."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "  # nosec B608 # constant
                          "value integer NOT NULL, note text NOT NULL, at timestamptz NOT NULL DEFAULT now())"))
        conn.execute(text(f"TRUNCATE {TABLE}"))  # nosec B608 # constant
    engine.dispose()


@app.post("/insert")
def insert() -> Response:
    from sqlalchemy import text

    value = request.form.get("value", 0, type=int)
    with _connection_pool().begin() as conn:
        conn.execute(text(f"INSERT INTO {TABLE} (value, note) VALUES (:v, :n)"),  # nosec B608 # constant
                     {"v": value, "n": request.form.get("note", "")})
    return Response("saved", status=302, headers={"Location": "/page?size=100"})


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = "BenchSans", "BenchSans-Bold"
    if regular not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(regular, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(bold, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    return regular, bold


def bare_pdf(table: dict) -> bytes:
    """A plain ReportLab document: a title, the area table and the indicator table of ``table``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    regular, bold = _fonts()
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=14, leading=18)
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def grid(rows: list[list[str]], widths: list[float]) -> Table:
        table_ = Table([[Paragraph(c, cell) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        table_.setStyle(style)
        return table_

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=table["title"])
    width = A4[0] - 36 * mm
    doc.build([Paragraph(table["title"], head),
               grid(table["areas"], [width - 55 * mm, 27 * mm, 28 * mm]),
               Paragraph(table["title"], head),
               grid(table["indicators"], [20 * mm, width - 75 * mm, 25 * mm, 30 * mm])])
    return out.getvalue()


@app.get("/pdf")
def pdf() -> Response:
    table = json.loads(Path(os.environ["BENCH_PDF_TABLE"]).read_text(encoding="utf-8"))
    return Response(bare_pdf(table), mimetype="application/pdf")


@app.get("/health")
def health() -> Response:
    return Response("ok", mimetype="text/plain")

