"""``?lang=`` on PDF routes chooses the language only: a value that is not a supported locale
falls back to the page's language and never reaches SQL. Backs the scan's one allowance for a
wapiti "SQL Injection" on a PDF's ``lang`` (scan/run.py FALSE_POSITIVES): wapiti's boolean test
compares whole responses, and a PDF differs from one second to the next (creation date,
document id), so the "true" and "false" payloads can look different by chance."""
from __future__ import annotations

from sqlalchemy import event

from shelterassess.extensions import db
from tests.conftest import login

INJECTED = 'en" AND 21=21 AND "95"="95'
PDFS = ("/cases/act-bangladesh.pdf", "/toolkit/protocols.pdf")


def test_an_injected_language_is_never_sent_to_the_database(client, world):
    login(client, world.national)
    seen: list[str] = []

    def before(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(f"{statement} {parameters!r}")

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        responses = [client.get(url, query_string={"lang": INJECTED}) for url in PDFS]
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert [r.status_code for r in responses] == [200, 200]
    assert all(r.mimetype == "application/pdf" for r in responses)
    assert seen and not any("21=21" in s or '"95"' in s for s in seen)
