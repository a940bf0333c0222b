"""Responses for CSV and XLSX downloads, shared by the export views.

The CSV is streamed: the generator reads rows and yields lines while the file is sent (inside
``stream_with_context``, so the request's session stays usable). The XLSX is written by
openpyxl's write-only mode into a temporary file, whose compressed bytes are sent. Both carry
the media type that the audit trail's download hook records (:func:`shelterassess.audit.services.record_download`).
"""
from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import IO
from urllib.parse import quote

from flask import Response, send_file, stream_with_context

from shelterassess.exports import XLSX_MIMETYPE


def csv_response(lines: Iterator[str], filename: str) -> Response:
    """A streamed ``text/csv`` attachment (``lines``: a generator, e.g. :func:`shelterassess.exports.csv_lines`)."""
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": attachment(filename)})


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value for ``filename``, as :func:`flask.send_file` writes it: an
    ASCII name, plus the UTF-8 name (RFC 6266) when it has other letters (a Vietnamese round name)."""
    name = "".join(c for c in filename if c.isprintable() and c not in '"\\')
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    if plain == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def xlsx_response(write: Callable[[IO[bytes]], None], filename: str) -> Response:
    """``write(handle)`` fills a temporary file (e.g. with :func:`shelterassess.exports.write_xlsx`);
    its bytes are sent."""
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        write(handle)
        handle.seek(0)
        data = BytesIO(handle.read())  # the compressed file only; the temporary file is deleted here
    return send_file(data, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
