"""``seed-demo``: a small, realistic data set for trying the app. Idempotent."""
from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.assessments import services as assessment_services
from shelterassess.assessments.models import Assessment
from shelterassess.assessments.services import AnswerInput
from shelterassess.auth import services as auth_services
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.cli import seed_followups, seed_funding, seed_peer, seed_plans
from shelterassess.cli.database import init_database
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility, Province
from shelterassess.facilities.services import FacilityInput, save_facility
from shelterassess.rounds import services as round_services
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.services import load_standard_sheet, load_standard_sheets
from shelterassess.training_needs.services import seed_skills

DEMO_DOMAIN = "demo.shelterassess.org"
FACILITIES = [
    # code, name, type, province, capacity, address, phone
    ("SH-HN-01", "Nhà tạm lánh Hoa Sen", "shelter", "VN-HN", 30, "Số 12 ngõ 45, phường Láng (demo)", "024 0000 0001"),
    ("SH-SG-01", "Nhà tạm lánh Ánh Dương", "shelter", "VN-SG", 40, "Số 8 đường số 3, phường Bình Trưng (demo)", "028 0000 0002"),
    ("SH-QNI-01", "Nhà tạm lánh Bình Minh", "shelter", "VN-QNI", 20, "Tổ 5, phường Hạ Long (demo)", "0203 000 003"),
    ("RC-LCA-01", "Trung tâm tiếp nhận biên giới Lào Cai", "reception_centre", "VN-LCA", 25, "Cửa khẩu Lào Cai (demo)", "0214 000 004"),
    ("RC-AG-01", "Trung tâm tiếp nhận biên giới An Giang", "reception_centre", "VN-AG", 20, "Cửa khẩu Tịnh Biên (demo)", "0296 000 005"),
    ("RC-LS-01", "Trung tâm tiếp nhận biên giới Lạng Sơn", "reception_centre", "VN-LS", 15, "Cửa khẩu Hữu Nghị (demo)", "0205 000 006"),
]
USERS = [
    # email local part, name, role, facility code
    ("admin", "Quản trị viên", Role.ADMIN, None),
    ("national", "Nguyễn Thị Lan (nhóm quốc gia)", Role.NATIONAL_TEAM, None),
    ("national2", "Trần Văn Minh (nhóm quốc gia)", Role.NATIONAL_TEAM, None),
]
for _code, *_rest in FACILITIES:
    _slug = _code.lower().replace("-01", "")
    USERS.append((f"manager.{_slug}", f"Quản lý {_code}", Role.FACILITY_MANAGER, _code))
    USERS.append((f"staff.{_slug}", f"Cán bộ {_code}", Role.FACILITY_STAFF, _code))

ROUND_NAME = "Đợt đánh giá quốc gia 2027"
PILOT_ROUND_NAME = "Đợt thí điểm 2026"


def seed_demo(session: Session, password: str | None) -> list[tuple[User, str | None]]:
    v1 = load_standard_sheet(session)  # the 2026 pilot round keeps version 1
    v2 = load_standard_sheets(session)  # the 2027 round uses version 2; trends compare them via the crosswalk
    facilities = {row[0]: _facility(session, *row) for row in FACILITIES}
    accounts = [_user(session, email, name, role, facilities.get(code) if code else None, password)
                for email, name, role, code in USERS]
    pilot = _round(session, PILOT_ROUND_NAME, v1)
    current = _round(session, ROUND_NAME, v2)
    rng = random.Random(2027)  # nosec B311 # repeatable demo data, not a secret
    staff = {u.facility.code: u for u, _pw in accounts if u.facility and u.role == Role.FACILITY_STAFF.value}
    managers = {u.facility.code: u for u, _pw in accounts if u.facility and u.role == Role.FACILITY_MANAGER.value}
    national = next(u for u, _pw in accounts if u.role == Role.NATIONAL_TEAM.value)
    seed_peer.seed_training(session, national, [staff["RC-LCA-01"], staff["SH-QNI-01"], managers["RC-AG-01"],
                                                staff["RC-LS-01"], managers["SH-QNI-01"]], date.today())
    if pilot.status != "closed":
        for code in ("SH-HN-01", "SH-SG-01"):
            _filled(session, pilot, facilities[code], staff[code], managers[code], rng, share=1.0, submit=True)
        seed_peer.seed_peer_cycle(session, pilot, "Đoàn đánh giá 1", [staff["RC-LCA-01"], staff["SH-QNI-01"],
                                  managers["RC-AG-01"]], facilities["SH-HN-01"], national, rng)
        seed_skills(session)
        with force_locale("vi"):  # the proposals are written in the users' first language
            seed_plans.seed_accepted_plan(session, pilot, facilities["SH-HN-01"], staff["RC-LCA-01"],
                                          managers["SH-HN-01"], date.today())
        round_services.close_round(session, pilot)
    _filled(session, current, facilities["SH-SG-01"], staff["SH-SG-01"], managers["SH-SG-01"], rng, 1.0, True)
    _filled(session, current, facilities["SH-HN-01"], staff["SH-HN-01"], managers["SH-HN-01"], rng, 1.0, True)
    seed_peer.seed_peer_cycle(session, current, "Đoàn đánh giá 3", [managers["RC-AG-01"], staff["SH-QNI-01"],
                              staff["RC-LS-01"]], facilities["SH-HN-01"], national, rng)
    with force_locale("vi"):
        seed_plans.seed_draft_plan(session, current, facilities["SH-HN-01"], managers["RC-AG-01"], date.today())
    _filled(session, current, facilities["RC-LCA-01"], staff["RC-LCA-01"], managers["RC-LCA-01"], rng, 1.0, False)
    _filled(session, current, facilities["SH-QNI-01"], staff["SH-QNI-01"], managers["SH-QNI-01"], rng, 0.4, False)
    seed_peer.seed_local_practice(session, national, facilities["SH-SG-01"])
    seed_peer.seed_planned_visit(session, current, "Đoàn đánh giá 2", [staff["RC-LS-01"], staff["RC-LCA-01"],
                                 managers["SH-QNI-01"]], facilities["SH-SG-01"], date.today() + timedelta(days=21))
    # After the plans seed: a completed follow-up visit of the pilot round's accepted plan (if there is one).
    seed_followups.seed_demo_follow_up(session, pilot, facilities["SH-HN-01"], national, date.today())
    # After the plans: the pilot round's approved allocation (one adjustment) and a draft funding round for 2027.
    seed_funding.seed_demo_funding(session, pilot, current, national)
    session.flush()
    return accounts


def _facility(session, code, name, type_, province_code, capacity, address, phone) -> Facility:
    existing = session.scalar(select(Facility).where(Facility.code == code))
    if existing is not None:
        return existing
    province = session.scalar(select(Province).where(Province.code == province_code))
    return save_facility(session, FacilityInput(code, name, type_, province.id, capacity, True, address, phone))


def _user(session, local, name, role, facility, password) -> tuple[User, str | None]:
    email = f"{local}@{DEMO_DOMAIN}"
    user = auth_services.find_user_by_email(session, email)
    if user is None:
        user = auth_services.create_user(session, email, role, name, facility)
        password = password or secrets.token_urlsafe(9)
    if password:
        user.password_hash = auth_services.hash_password(password)
    return user, password


def _round(session, name, sheet) -> Round:
    existing = session.scalar(select(Round).where(Round.name == name))
    if existing is not None:
        return existing
    round_ = round_services.create_round(session, name, sheet)
    round_services.open_round(session, round_)
    return round_


def _filled(session, round_, facility, staff, manager, rng, share, submit) -> Assessment:
    from shelterassess.assessments.queries import find_self_assessment

    existing = find_self_assessment(session, facility.id, round_.id)
    if existing is not None:
        return existing
    assessment = assessment_services.start_assessment(session, staff, facility, round_)
    for area in round_.sheet.areas:
        inputs = [_random_answer(ind, rng) for ind in area.indicators if rng.random() < share]
        if inputs:
            assessment_services.save_area(session, staff, assessment, area, inputs)
    if submit:
        assessment_services.submit(session, manager, assessment)
    return assessment


def _random_answer(indicator, rng) -> AnswerInput:
    if indicator.na_allowed and rng.random() < 0.15:
        return AnswerInput(indicator.id, None, True, (), "", None)
    value = rng.choices([0, 1, 2, 3], weights=[1, 3, 4, 3])[0]
    evidence = tuple(indicator.evidence_list[: rng.randint(1, max(1, len(indicator.evidence_list)))])
    return AnswerInput(indicator.id, value, False, evidence, "", None)


def _check_demo_password(password: str) -> None:
    """The demo accounts follow the same password rules as everyone (length, common passwords)."""
    from flask_babel import force_locale

    from shelterassess.errors import ValidationFailed

    with force_locale("en"):
        try:
            auth_services.check_password_policy(password)
        except ValidationFailed as refused:
            raise click.BadParameter(str(refused), param_hint="--password") from None


@click.command("seed-demo")
@click.option("--password", default=None, help="Password for every demo account (default: a random one per new account).")
@with_appcontext
def seed_demo_command(password: str | None) -> None:
    """Load demo facilities, users of every role, rounds and self-assessments."""
    if password is not None:
        _check_demo_password(password)
    init_database()
    accounts = seed_demo(db.session, password)
    secrets_by_user = enrol_demo_two_factor(db.session, [u for u, _pw in accounts])
    db.session.commit()
    click.echo("Demo accounts (email | role | facility | password | two-factor key for an authenticator app):")
    for user, pw in accounts:
        facility = user.facility.code if user.facility else "-"
        key = f" | totp: {secrets_by_user[user.id]}" if user.id in secrets_by_user else ""
        click.echo(f"  {user.email:42} | {user.role:17} | {facility:10} | {pw or '(unchanged)'}{key}")


def enrol_demo_two_factor(session: Session, users: list[User]) -> dict[int, str]:
    """Enrol the national-team and administrator demo accounts in two-factor login (their roles
    require it) and return their base32 secrets; already enrolled accounts keep theirs."""
    from flask import current_app

    from shelterassess.auth import mfa_services, totp

    box = totp.SecretBox.from_config(current_app.config)
    found = {}
    for user in users:
        if user.role not in (Role.NATIONAL_TEAM.value, Role.ADMIN.value):
            continue
        secret = mfa_services.current_secret(user, box) if user.totp_enrolled else None
        found[user.id] = secret or mfa_services.enrol_without_code(session, user, box)
    session.flush()
    return found
