"""Posting an area form as a browser does: every note and hidden score version the page holds
is sent with the answers (a POST without them is refused, issue 11 finding 8)."""
from __future__ import annotations

import html
import re


def page_fields(client, url: str) -> dict[str, str]:
    """The ``version-<id>`` and ``note-<id>`` fields of the form at ``url`` as it is now."""
    page = client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'name="(version-\d+)" type="hidden" value="(\d+)"', page))
    for name, text in re.findall(r'<textarea[^>]*name="(note-\d+)"[^>]*>(.*?)</textarea>', page, flags=re.S):
        fields[name] = html.unescape(text.removeprefix("\r\n"))
    return fields


def post_area(client, url: str, data: dict):
    """POST ``data`` to the area form at ``url``, with what the page shows now for every note and
    version ``data`` leaves out."""
    return client.post(url, data={**page_fields(client, url), **data})
