"""What the bench measures in a seeded database: the page addresses (with real ids), the
accounts it signs in with (given a known password here), the area saves it replays and the
table of the bare PDF. Runs in-process with the application's own code (``create_app``).

Accounts (made by ``seed-scale``, which leaves them without a password): the national team
``national@scale.example.org`` for every page, and the facility staff of facilities whose
self-assessment in the last (open) round is a draft, for the area saves.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

PASSWORD = "bench-password-2027-not-for-production"
NATIONAL = "national@scale.example.org"


@dataclass
class Fixture:
    scale: str
    last_round: int
    closed_round: int | None
    pages: dict[str, str] = field(default_factory=dict)  # label -> path ("" = no data)
    national_pages: dict[str, str] = field(default_factory=dict)  # paginated national pages (growth)
    exports: dict[str, str] = field(default_factory=dict)  # label -> path (full exports, growth)
    pdf_path: str | None = None
    pdf_assessment_id: int | None = None
    pdf_table: dict | None = None
    savers: list[dict] = field(default_factory=list)  # {email, pairs: [{path, indicators}]}


def _app(database_url: str):
    from shelterassess import create_app

    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-fixtures-" + "x" * 32,
                       "TESTING": False})


def _one(session, sql: str, **params):
    return session.execute(text(sql), params).first()


def _table_exists(session, name: str) -> bool:
    return bool(session.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar())


def collect(database_url: str, scale: str, savers: int = 0, areas_per_saver: int = 99) -> Fixture:
    """The fixture of one seeded database; sets the bench password on the accounts it uses."""
    app = _app(database_url)
    with app.app_context():
        from shelterassess.extensions import db

        session = db.session
        rounds = session.execute(text("SELECT id, status FROM round WHERE name LIKE 'Synthetic round %' "
                                      "ORDER BY id")).all()
        last = rounds[-1][0]
        closed = next((rid for rid, status in reversed(rounds) if status == "closed"), None)
        fixture = Fixture(scale, last, closed)
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        _pages(session, fixture, rules)
        _passwords(session, [NATIONAL])
        if savers:
            fixture.savers = _savers(session, last, savers, areas_per_saver)
            _passwords(session, [s["email"] for s in fixture.savers])
        session.commit()
        _pdf_table(session, fixture)
    return fixture


def _pages(session, fixture: Fixture, rules: set[str]) -> None:
    last, closed = fixture.last_round, fixture.closed_round
    fixture.national_pages = {
        "national round view": f"/assessments/?round={last}",
        "national comparison table": f"/comparisons/rounds/{last}/national",
        "facility list": "/facilities/",
    }
    fixture.pages = dict(fixture.national_pages)
    rich = closed or last  # a closed round has agreed results: the fullest facility pages
    row = _one(session, "SELECT s.id, s.facility_id FROM assessment s JOIN assessment a "
                        "ON a.facility_id = s.facility_id AND a.round_id = s.round_id AND a.kind = 'agreed' "
                        "WHERE s.kind = 'self' AND s.round_id = :r AND s.status = 'submitted' ORDER BY s.id LIMIT 1",
               r=rich) \
        or _one(session, "SELECT id, facility_id FROM assessment WHERE kind = 'self' AND round_id = :r "
                         "AND status = 'submitted' ORDER BY id LIMIT 1", r=rich)
    if closed:
        fixture.pages[f"national comparison table (closed round {closed})"] = f"/comparisons/rounds/{closed}/national"
    fixture.pages["facility results"] = f"/assessments/{row[0]}/results" if row else ""
    fixture.pages["comparison"] = f"/comparisons/facilities/{row[1]}/rounds/{rich}" if row else ""
    fixture.pdf_path = f"/reports/assessments/{row[0]}.pdf" if row else None
    fixture.pdf_assessment_id = row[0] if row else None
    plan = _table_exists(session, "improvement_plan") and _one(
        session, "SELECT p.id FROM improvement_plan p LEFT JOIN plan_action a ON a.plan_id = p.id "
                 "GROUP BY p.id ORDER BY count(a.id) DESC, p.id LIMIT 1")
    fixture.pages["plan"] = f"/plans/{plan[0]}" if plan else ""
    funding = _table_exists(session, "funding_round") and _one(
        session, "SELECT f.id FROM funding_round f LEFT JOIN funding_facility l ON l.funding_round_id = f.id "
                 "GROUP BY f.id ORDER BY count(l.id) DESC, f.id LIMIT 1")
    fixture.pages["allocation"] = f"/funding/{funding[0]}" if funding else ""
    exports = {  # label -> route rule (present or not in this version of the app)
        "national comparison PDF": "/comparisons/rounds/<int:round_id>/national.pdf",
        "national comparison CSV": "/comparisons/rounds/<int:round_id>/national.csv",
        "national comparison XLSX": "/comparisons/rounds/<int:round_id>/national.xlsx",
        "workshop pack XLSX": "/workshop/rounds/<int:round_id>/pack.xlsx",
        "workshop pack PDF": "/workshop/rounds/<int:round_id>/pack.pdf",
    }
    fixture.exports = {label: rule.replace("<int:round_id>", str(last)) if rule in rules else ""
                       for label, rule in exports.items()}
    if funding:
        fixture.exports["allocation CSV"] = f"/funding/{funding[0]}/allocation.csv"
        fixture.exports["allocation XLSX"] = f"/funding/{funding[0]}/allocation.xlsx"


def _passwords(session, emails: list[str]) -> None:
    from shelterassess.auth.services import hash_password

    hashed = hash_password(PASSWORD)  # one hash for all: the salt is inside it
    session.execute(text("UPDATE \"user\" SET password_hash = :h, active = true WHERE email = ANY(:e)"),
                    {"h": hashed, "e": emails})


def _savers(session, round_id: int, count: int, areas_per_saver: int) -> list[dict]:
    """Draft self-assessments of the open round, one facility staff account each, with every
    area's indicators: current version, and a first value different from the saved one."""
    drafts = session.execute(text(
        "SELECT a.id, u.email FROM assessment a JOIN \"user\" u ON u.facility_id = a.facility_id "
        "AND u.role = 'facility_staff' JOIN facility f ON f.id = a.facility_id WHERE a.round_id = :r "
        "AND a.kind = 'self' AND a.status = 'draft' AND f.active ORDER BY a.id LIMIT :n"),
        {"r": round_id, "n": count}).all()
    areas = session.execute(text(
        "SELECT ar.id, i.id FROM round r JOIN area ar ON ar.sheet_id = r.sheet_id "
        "JOIN indicator i ON i.area_id = ar.id WHERE r.id = :r ORDER BY ar.position, ar.id, i.position, i.id"),
        {"r": round_id}).all()
    by_area: dict[int, list[int]] = {}
    for area_id, indicator_id in areas:
        by_area.setdefault(area_id, []).append(indicator_id)
    area_ids = list(by_area)[:areas_per_saver]
    savers = []
    for assessment_id, email in drafts:
        scores = {ind: (value, version) for ind, value, version in session.execute(text(
            "SELECT indicator_id, value, version FROM score WHERE assessment_id = :a"), {"a": assessment_id})}
        pairs = [{"path": f"/assessments/{assessment_id}/areas/{area_id}",
                  "indicators": [{"id": ind, "version": scores[ind][1], "first": 2 if scores[ind][0] == 1 else 1}
                                 for ind in by_area[area_id]]}
                 for area_id in area_ids]
        savers.append({"email": email, "pairs": pairs})
    return savers


def _pdf_table(session, fixture: Fixture) -> None:
    """The rows of the assessment PDF's tables (areas; indicators with score, level, evidence, note)."""
    assessment_id = fixture.pdf_assessment_id
    if assessment_id is None:
        return
    from flask_babel import force_locale

    from shelterassess.assessments.models import Assessment
    from shelterassess.reports.data import self_assessment_report

    with force_locale("vi"):
        r = self_assessment_report(session, session.get(Assessment, assessment_id), "vi").results
    areas = [["Area", "Score", "Answered"]] + [
        [f"{a.code} {a.title}", "" if a.percentage is None else f"{a.percentage:.1f} %", f"{a.answered}/{a.total}"]
        for a in r.areas]
    indicators = [["Code", "Indicator", "Score", "Details"]] + [
        [row.code, row.text, "N/A" if row.not_applicable else ("–" if row.value is None else f"{row.value}/3"),
         " · ".join(x for x in (row.descriptor, ", ".join(row.evidence), row.note) if x)]
        for a in r.areas for row in a.indicators]
    fixture.pdf_table = {"title": f"{r.facility_code} – {r.facility_name} – {r.round_name}",
                         "areas": areas, "indicators": indicators}


def write_pdf_table(fixture: Fixture, path: Path) -> Path | None:
    if fixture.pdf_table is None:
        return None
    path.write_text(json.dumps(fixture.pdf_table, ensure_ascii=False), encoding="utf-8")
    return path
