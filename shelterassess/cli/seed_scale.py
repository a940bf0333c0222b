"""``seed-scale``: national-scale synthetic data for measuring the application.

Facilities across the provinces of several countries, R rounds on the published standard
score sheet (the earlier ones closed, the last one open), and per facility and round a
self-assessment with its scores and, when submitted, the area results :func:`submit` stores.
The rows are those the services write (same columns, same values: scores saved once carry
version 2, area results come from the app's own scoring functions), but they are inserted in
bulk, in batches, so 1,000 facilities x 5 rounds load in a few minutes. Deterministic with
``--seed``. Not for production databases: it refuses a database that holds facilities unless
``--append`` is given.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import Answer, score_sheet
from shelterassess.assessments.models import (
    AreaResult, Assessment, AssessmentEvent, AssessmentKind, AssessmentStatus, Score,
)
from shelterassess.assessments.reconciliation import AgreedEntry, IndicatorRatings, needs_reason, prefill
from shelterassess.auth import services as auth_services
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from shelterassess.facilities.models import Country, Facility, FacilityType, Province
from shelterassess.facilities.services import load_reference_data
from shelterassess.peer.models import Certification, PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds import services as round_services
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.scoresheets.models import ScoreSheetVersion
from shelterassess.scoresheets.queries import area_specs
from shelterassess.scoresheets.services import load_standard_sheets

BATCH = 500  # assessments per batch (about 40,000 score rows on the standard sheet v2)
EMAIL_DOMAIN = "scale.example.org"
ROUND_PREFIX = "Synthetic round"
#: The other COMMIT countries and a few of their provinces (Viet Nam's come from its reference file).
COUNTRIES = {
    "KH": ("Campuchia", "Cambodia", ["Phnom Penh", "Banteay Meanchey", "Battambang", "Siem Reap", "Svay Rieng"]),
    "LA": ("Lào", "Lao PDR", ["Vientiane Capital", "Savannakhet", "Champasak", "Luang Namtha", "Bokeo"]),
    "TH": ("Thái Lan", "Thailand", ["Bangkok", "Chiang Rai", "Nong Khai", "Sa Kaeo", "Songkhla"]),
    "MM": ("Myanmar", "Myanmar", ["Yangon", "Mandalay", "Shan", "Kayin", "Tanintharyi"]),
    "CN": ("Trung Quốc", "China", ["Yunnan", "Guangxi", "Guangdong"]),
}
#: Share of facilities per country (Viet Nam holds most of them).
COUNTRY_WEIGHTS = {"VN": 6, "KH": 1, "LA": 1, "TH": 1, "MM": 1, "CN": 1}


class RefusedToSeed(click.ClickException):
    pass


@dataclass
class SeedSummary:
    facilities: int
    rounds: int
    assessments: int
    scores: int
    area_results: int
    plans: int = 0
    visits: int = 0
    funding_lines: int = 0


def ensure_countries(session: Session) -> dict[str, list[int]]:
    """Viet Nam's provinces (reference file) and a few provinces of the other countries;
    returns country code -> province ids. Idempotent."""
    load_reference_data(session)
    for code, (name_vi, name_en, provinces) in COUNTRIES.items():
        country = session.scalar(select(Country).where(Country.code == code))
        if country is None:
            country = Country(code=code, name_vi=name_vi, name_en=name_en)
            session.add(country)
            session.flush()
        known = set(session.scalars(select(Province.code).where(Province.country_id == country.id)))
        for i, name in enumerate(provinces, start=1):
            if f"{code}-{i:02d}" not in known:
                session.add(Province(country_id=country.id, code=f"{code}-{i:02d}", name_vi=name, name_en=name))
    session.flush()
    rows = session.execute(select(Country.code, Province.id).join(Province, Province.country_id == Country.id)
                           .order_by(Province.id))
    by_country: dict[str, list[int]] = {}
    for code, province_id in rows:
        by_country.setdefault(code, []).append(province_id)
    return by_country


def seed_scale(session: Session, facilities: int, rounds: int, seed: int = 2027, append: bool = False,
               echo=lambda _msg: None, plans: bool = True) -> SeedSummary:
    """Generate the data set (flushes; the caller commits)."""
    existing = session.scalar(select(func.count()).select_from(Facility)) or 0
    if existing and not append:
        raise RefusedToSeed(f"The database already holds {existing} facilities. seed-scale adds synthetic data "
                            "for measurements; run it on an empty database, or pass --append to add to them.")
    rng = random.Random(seed)  # nosec B311 # repeatable synthetic data, not a secret
    sheet = load_standard_sheets(session)
    provinces = ensure_countries(session)
    start = _next_number(session)
    facility_rows = _facility_rows(rng, provinces, start, facilities)
    for batch in _batches(facility_rows, 1000):
        session.execute(insert(Facility), batch)
    codes = [r["code"] for r in facility_rows]
    found = session.execute(select(Facility.code, Facility.id).where(Facility.code.like("SC-%")))
    ids = {code: fid for code, fid in found}
    facility_ids = [ids[c] for c in codes]
    staff, managers = _users(session, codes, facility_ids)
    echo(f"{len(facility_ids)} facilities and {2 * len(facility_ids)} facility accounts created.")
    round_list = _rounds(session, sheet, rounds)
    specs = area_specs(sheet)
    indicators = [ind for area in sheet.areas for ind in area.indicators]
    by_id = {ind.id: ind for ind in indicators}
    ctx = PeerContext(facility_ids, staff, managers, _national(session), set(), prefix=f"{start}-")
    summary = SeedSummary(len(facility_ids), len(round_list), 0, 0, 0)
    base = datetime.now(timezone.utc) - timedelta(days=365 * len(round_list))
    for r_index, round_ in enumerate(round_list):
        last = r_index == len(round_list) - 1
        when = base + timedelta(days=365 * r_index)
        for batch in _batches(list(enumerate(facility_ids)), BATCH):
            selfs = _assessment_batch(session, rng, round_, specs, indicators, batch, staff, managers, last, when,
                                      summary)
            _peer_batch(session, rng, round_, specs, by_id, selfs, ctx, not last, when, summary)
        echo(f"{round_.name}: {summary.assessments} assessments so far.")
    if plans:
        from shelterassess.cli.seed_scale_followthrough import seed_follow_through
        from shelterassess.cli.seed_scale_funding import seed_funding

        dated = [(r, base + timedelta(days=365 * i)) for i, r in enumerate(round_list)]
        follow = seed_follow_through(session, rng, dated, ctx.national_id, managers, _bulk_insert)
        summary.plans, summary.visits = follow.plans, follow.visits
        summary.assessments += follow.visits  # nosemgrep: read-modify-write-counter (the CLI run's summary)
        summary.scores += follow.scores  # nosemgrep: read-modify-write-counter (the CLI run's summary)
        summary.area_results += follow.area_results  # nosemgrep: read-modify-write-counter (the CLI run's summary)
        summary.funding_lines = seed_funding(session, dated, ctx.national_id, _bulk_insert)
        echo(f"{follow.plans} plans ({follow.actions} actions), {follow.visits} follow-up visits, "
             f"{summary.funding_lines} allocation lines.")
    session.flush()
    return summary


def _national(session: Session) -> int:
    """The national-team account that certifies the synthetic assessors and releases results."""
    email = f"national@{EMAIL_DOMAIN}"
    user = session.scalar(select(User).where(User.email == email))
    return (user or auth_services.create_user(session, email, Role.NATIONAL_TEAM, "National team (synthetic)")).id


def _next_number(session: Session) -> int:
    return (session.scalar(select(func.count()).select_from(Facility).where(Facility.code.like("SC-%"))) or 0) + 1


def _facility_rows(rng: random.Random, provinces: dict[str, list[int]], start: int, n: int) -> list[dict]:
    countries = [c for c in COUNTRY_WEIGHTS if provinces.get(c)]
    weights = [COUNTRY_WEIGHTS[c] for c in countries]
    rows = []
    for number in range(start, start + n):
        country = rng.choices(countries, weights=weights)[0]
        shelter = rng.random() < 0.7
        kind = "Nhà tạm lánh" if shelter else "Trung tâm tiếp nhận"
        rows.append({
            "code": f"SC-{country}-{number:05d}",
            "name": f"{kind} {country}-{number:05d} (synthetic)",
            "type": (FacilityType.SHELTER if shelter else FacilityType.RECEPTION_CENTRE).value,
            "province_id": rng.choice(provinces[country]),
            "capacity": rng.randint(10, 80) if shelter else rng.randint(10, 40),
            "active": rng.random() > 0.03,
            "address": f"Synthetic address {number}",
            "phone": f"000 {number:06d}",
        })
    return rows


def _users(session: Session, codes: list[str], facility_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """One staff member and one manager per facility (no password: accounts are activated by link)."""
    rows = []
    for code, fid in zip(codes, facility_ids):
        for role, prefix in ((Role.FACILITY_STAFF, "staff"), (Role.FACILITY_MANAGER, "manager")):
            rows.append({"email": f"{prefix}.{code.lower()}@{EMAIL_DOMAIN}", "display_name": f"{prefix} {code}",
                         "role": role.value, "facility_id": fid})
    for batch in _batches(rows, 1000):
        session.execute(insert(User), batch)
    staff: dict[int, int] = {}
    managers: dict[int, int] = {}
    found = session.execute(select(User.id, User.facility_id, User.role).where(User.email.like(f"%@{EMAIL_DOMAIN}")))
    for uid, fid, role in found:
        (staff if role == Role.FACILITY_STAFF.value else managers)[fid] = uid
    return staff, managers


def _rounds(session: Session, sheet: ScoreSheetVersion, count: int) -> list[Round]:
    """``count`` rounds through the round services: all closed but the last, which is open."""
    result = []
    for i in range(1, count + 1):
        name = f"{ROUND_PREFIX} {i}"
        round_ = session.scalar(select(Round).where(Round.name == name))
        if round_ is None:
            round_ = round_services.create_round(session, name, sheet)
            round_services.open_round(session, round_)
        result.append(round_)
    for round_ in result[:-1]:
        if round_.status == RoundStatus.OPEN.value:
            round_services.close_round(session, round_)
    return result


def _answer(rng: random.Random, ind, quality: float) -> tuple[int | None, bool, str, str]:
    if ind.na_allowed and rng.random() < 0.1:
        return None, True, "", ""
    weights = [max(0.2, 2 - 2 * quality), 3, 4, 1 + 4 * quality]
    value = rng.choices((0, 1, 2, 3), weights=weights)[0]
    sources = ind.evidence_list
    return value, False, ",".join(sources[: rng.randint(1, len(sources))]) if sources else "", ""


@dataclass
class Planned:
    """One assessment to insert: its columns and its answers (indicator id -> value, N/A, evidence, note)."""

    row: dict
    answers: dict[int, tuple[int | None, bool, str, str]]
    editor_id: int
    submitter_id: int | None
    actions: tuple[str, ...] = ()


def _store(session: Session, specs, planned: list[Planned], when: datetime, summary: SeedSummary) -> list[int]:
    """Insert the assessments with their scores, events and (when submitted) the area results
    and totals :func:`shelterassess.assessments.services.submit` stores."""
    rows = []
    results = []
    for item in planned:
        result = None
        if item.submitter_id is not None:
            result = score_sheet(specs, {str(i): Answer(v, na) for i, (v, na, _e, _n) in item.answers.items()})
        results.append(result)
        rows.append({**item.row, "started_by_id": item.row.get("started_by_id", item.editor_id),
                     "status": AssessmentStatus.SUBMITTED.value if result else AssessmentStatus.DRAFT.value,
                     "submitted_by_id": item.submitter_id,
                     "submitted_at": when + timedelta(days=30) if result else None,
                     "overall_percentage": result.overall_percentage if result else None,
                     "red_flag_count": len(result.red_flags) if result else 0,
                     "created_at": when, "updated_at": when + timedelta(days=30)})
    ids = list(session.scalars(insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows))
    scores, areas, events = [], [], []
    for aid, item, result in zip(ids, planned, results):
        for ind_id, (value, na, evidence, note) in item.answers.items():
            answered = value is not None or na
            scores.append({"assessment_id": aid, "indicator_id": ind_id, "value": value, "not_applicable": na,
                           "evidence": evidence, "note": note, "updated_by_id": item.editor_id if answered else None,
                           "updated_at": when + timedelta(days=20), "version": 2 if answered else 1})
        events.append({"assessment_id": aid, "action": "started", "user_id": item.editor_id, "reason": "", "at": when})
        events.extend({"assessment_id": aid, "action": action, "user_id": item.editor_id, "reason": "",
                       "at": when + timedelta(days=25)} for action in item.actions)
        if result is not None:
            areas.extend({"assessment_id": aid, "area_id": int(a.key), "position": pos, "percentage": a.percentage,
                          "applicable": a.applicable, "total": a.total}
                         for pos, a in enumerate(result.areas, start=1))
            events.append({"assessment_id": aid, "action": "submitted", "user_id": item.submitter_id, "reason": "",
                           "at": when + timedelta(days=30)})
    _bulk_insert(session, Score, scores)
    if areas:
        session.execute(insert(AreaResult), areas)
    session.execute(insert(AssessmentEvent), events)
    summary.assessments += len(ids)  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
    summary.scores += len(scores)  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
    summary.area_results += len(areas)  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
    return ids


def _assessment_batch(session, rng, round_, specs, indicators, batch, staff, managers, last, when, summary) -> dict:
    """Self-assessments of a batch of facilities; returns facility id -> (id, answers) of the submitted ones."""
    planned = []
    for index, fid in batch:
        if last and rng.random() < 0.25:
            submitted, share = False, rng.choice((0.0, 0.3, 0.7))
        else:
            submitted, share = True, 1.0
        quality = (index % 10) / 10
        answers = {ind.id: _answer(rng, ind, quality) if submitted or rng.random() < share else (None, False, "", "")
                   for ind in indicators}
        planned.append(Planned({"round_id": round_.id, "facility_id": fid, "kind": AssessmentKind.SELF.value,
                                "team_id": None}, answers, staff[fid], managers[fid] if submitted else None))
    self_ids = _store(session, specs, planned, when, summary)
    return {p.row["facility_id"]: (aid, p.answers) for aid, p in zip(self_ids, planned) if p.submitter_id is not None}


PEER_SHARE = 0.3  # facilities with a submitted self-assessment that a peer team visits
TEAM_SIZE, TEAM_LOAD = 3, 4  # members per team, facilities per team
AGREED_REASON = "Agreed after reviewing the records and the team's observations on site (synthetic)."


@dataclass
class PeerContext:
    facility_ids: list[int]
    staff: dict[int, int]
    managers: dict[int, int]
    national_id: int
    certified: set[int]
    prefix: str = ""
    teams: int = 0


def _peer_batch(session, rng, round_, specs, indicators, selfs, ctx: PeerContext, closed, when, summary) -> None:
    """Peer teams visit some facilities: a submitted peer assessment each and, in closed rounds, the
    finalised agreed result (reconciled with the app's rules) released to the facility."""
    chosen = sorted(fid for fid in selfs if rng.random() < PEER_SHARE)
    n = len(ctx.facility_ids)
    peers, agreed, assignments, members_rows = [], [], [], []
    for start in range(0, len(chosen), TEAM_LOAD):
        visited = chosen[start:start + TEAM_LOAD]
        pool = [f for f in rng.sample(ctx.facility_ids, min(n, 12)) if f not in visited]
        members = [ctx.staff[f] if k % 2 == 0 else ctx.managers[f] for k, f in enumerate(pool[:TEAM_SIZE])]
        if not members:
            continue
        ctx.teams += 1  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
        team_id = session.scalar(insert(PeerTeam).returning(PeerTeam.id), [{
            "round_id": round_.id, "name": f"Team {ctx.prefix}{ctx.teams}", "lead_id": members[0], "created_at": when}])
        members_rows.extend({"team_id": team_id, "user_id": u} for u in members)
        lead = members[0]
        for fid in visited:
            visit = (when + timedelta(days=rng.randint(5, 25))).date()
            assignments.append({"team_id": team_id, "facility_id": fid, "planned_visit_on": visit,
                                "visited_on": visit, "visit_note": "", "created_at": when})
            self_answers = selfs[fid][1]
            peer_answers = {i: _peer_answer(rng, ind, self_answers[i]) for i, ind in indicators.items()}
            peers.append(Planned({"round_id": round_.id, "facility_id": fid, "kind": AssessmentKind.PEER.value,
                                  "team_id": team_id}, peer_answers, lead, lead))
            if closed:
                agreed.append(Planned({"round_id": round_.id, "facility_id": fid, "kind": AssessmentKind.AGREED.value,
                                       "team_id": None, "released_at": when + timedelta(days=60),
                                       "released_by_id": ctx.national_id},
                                      {i: _agreed_answer(self_answers[i], peer_answers[i]) for i in indicators},
                                      lead, lead, actions=("reconciled",)))
    if members_rows:
        session.execute(insert(TeamMember), members_rows)
        new = sorted({r["user_id"] for r in members_rows} - ctx.certified)
        if new:
            session.execute(insert(Certification), [{"user_id": u, "certified_by_id": ctx.national_id,
                                                     "certified_at": when, "note": "synthetic"} for u in new])
            ctx.certified.update(new)
        session.execute(insert(TeamAssignment), assignments)
    peer_ids = _store(session, specs, peers, when, summary) if peers else []
    agreed_ids = _store(session, specs, agreed, when, summary) if agreed else []
    released = [*agreed_ids, *peer_ids] if agreed_ids else []
    if released:
        session.execute(insert(AssessmentEvent), [{"assessment_id": a, "action": "results_released", "reason": "",
                                                   "user_id": ctx.national_id, "at": when + timedelta(days=60)}
                                                  for a in released])


def _peer_answer(rng, ind, own: tuple) -> tuple[int | None, bool, str, str]:
    value, na, evidence, _note = own
    if na or value is None:
        return own
    return max(0, min(3, value - rng.choices((0, 1, -1, 2), weights=(6, 3, 1, 0.3))[0])), False, evidence, ""


def _agreed_answer(own: tuple, peer: tuple) -> tuple[int | None, bool, str, str]:
    """The common rating when both agree (the prefill), else the peer team's; with a reason where
    the reconciliation rules ask for one."""
    self_answer, peer_answer = Answer(own[0], own[1]), Answer(peer[0], peer[1])
    entry = prefill(IndicatorRatings("", "", True, self_answer, (peer_answer,)))
    if not entry.answer.answered:
        entry = AgreedEntry(peer_answer.value, peer_answer.not_applicable)
    reason = AGREED_REASON if needs_reason([self_answer, peer_answer, entry.answer]) else ""
    return entry.value, entry.not_applicable, "", reason


def _bulk_insert(session: Session, model, rows: list[dict]) -> None:
    """Insert many rows: PostgreSQL's COPY (same transaction, same columns), else batched INSERTs."""
    if not rows:
        return
    # The table, not the mapped class: an ORM insert would set a version column to 1 whatever the row says.
    table = getattr(model, "__table__", model)
    if session.get_bind().dialect.name != "postgresql":
        for chunk in _batches(rows, 10000):
            session.execute(insert(table), chunk)
        return
    columns = list(rows[0])
    cursor = session.connection().connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # nosec B608 # model's own names
        for row in rows:
            copy.write_row([row[c] for c in columns])


def refresh_statistics(session: Session) -> None:
    """``ANALYZE`` after a bulk load: the planner's row estimates are otherwise those of the empty
    tables until autovacuum gets round to them (a national page then sorted every row of a round
    instead of reading an index: 198 ms → 31 ms at 10,000 facilities on PostgreSQL)."""
    session.execute(text("ANALYZE"))
    session.commit()


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


@click.command("seed-scale")
@click.option("--facilities", type=click.IntRange(1, 100000), default=1000, show_default=True,
              help="Number of synthetic facilities.")
@click.option("--rounds", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Number of rounds (all closed but the last, which stays open).")
@click.option("--seed", type=int, default=2027, show_default=True, help="Random seed (same seed, same data).")
@click.option("--append", is_flag=True, help="Add to a database that already holds facilities.")
@click.option("--plans/--no-plans", default=True, show_default=True,
              help="Also improvement plans, follow-up visits and funding rounds.")
@with_appcontext
def seed_scale_command(facilities: int, rounds: int, seed: int, append: bool, plans: bool) -> None:
    """Load national-scale synthetic data (bulk inserts) for measurements."""
    from time import perf_counter

    started = perf_counter()
    try:
        summary = seed_scale(db.session, facilities, rounds, seed, append, echo=click.echo, plans=plans)
        db.session.commit()
        refresh_statistics(db.session)
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Loaded {summary.facilities} facilities, {summary.rounds} rounds, {summary.assessments} "
               f"assessments (self, peer, agreed and follow-up), {summary.scores} scores, {summary.area_results} area "
               f"results, {summary.plans} plans, {summary.visits} follow-up visits and {summary.funding_lines} "
               f"allocation lines in {perf_counter() - started:.1f} s.")
