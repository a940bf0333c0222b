"""Where a ``next`` parameter may send the browser: only a path on this site."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def safe_local_path(target: str | None) -> str | None:
    """``target`` when it is a plain path on this site, else ``None``.

    Parsed with :func:`urllib.parse.urlsplit`, not pattern-matched. Refused: anything with a
    scheme (``https:evil``) or a host (``//evil``), backslashes (browsers read ``/\\evil`` as
    ``//evil``), control characters and whitespace (browsers drop tab, CR and LF, so
    ``/<TAB>/evil`` becomes ``//evil``; CR/LF would also break the Location header).
    """
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch == "\\" or ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))
