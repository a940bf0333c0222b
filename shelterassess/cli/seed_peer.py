"""Demo data for peer assessment: a training, certified assessors, teams, a complete
peer cycle (peer scoring, reconciliation, released results) in the pilot round and a
planned visit in the current round. Called by ``seed-demo``; uses the same services
as the web."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.assessments import peer_services, queries, release_services, services
from shelterassess.assessments.peer_services import AgreedInput
from shelterassess.assessments.services import AnswerInput
from shelterassess.assessors import queries as assessor_queries
from shelterassess.assessors import services as assessor_services
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TrainingSession
from shelterassess.rounds.models import Round
from shelterassess.teams import services as team_services

TRAINING_TITLE = "Tập huấn đánh giá cơ sở theo bộ tiêu chí chuẩn"
AGREED_REASON = "Đã thống nhất sau khi cùng xem lại hồ sơ và kết quả quan sát tại cơ sở."


def seed_training(session: Session, national: User, trainees: list[User], today: dt.date) -> None:
    """One training attended by every trainee, who each pass a practice case at its end (the
    first only at the second try); then the national team certifies them."""
    if session.scalar(select(TrainingSession).where(TrainingSession.title == TRAINING_TITLE)) is not None:
        return
    training = assessor_services.save_training(session, assessor_services.TrainingInput(
        TRAINING_TITLE, today - dt.timedelta(days=120), "Hà Nội", "Nhóm quốc gia; chuyên gia UNIAP (demo)"))
    for user in trainees:
        assessor_services.add_participant(session, training, user)
    assessor_services.record_attendance(session, training, {p.id for p in training.participants})
    at = dt.datetime.combine(training.held_on, dt.time(8), tzinfo=dt.timezone.utc)  # 15:00 in Hà Nội
    cases = assessor_queries.practice_cases()
    for i, user in enumerate(trainees):
        case = cases[i % len(cases)]
        if i == 0:  # too lenient: one point above the reference everywhere, so kappa is too low
            _practice(session, user, case, {k: None if v is None else min(3, v + 1) for k, v in case.reference.items()},
                      at - dt.timedelta(minutes=40))
        _practice(session, user, case, _close_to(case.reference, offset=i % 5), at)
    for user in trainees:
        assessor_services.certify(session, national, user, "Đạt bài chấm thử đối chiếu (demo)")


def _close_to(reference: dict, offset: int) -> dict:
    """The reference with every fifth score one point off: a trainee who passes."""
    return {k: v if v is None or j % 5 != offset else (v - 1 if v > 0 else 1)
            for j, (k, v) in enumerate(reference.items())}


def _practice(session: Session, user: User, case, scores: dict, at: dt.datetime) -> None:
    attempt = assessor_services.submit_calibration(session, user, case, assessor_queries.sheet_for(case), scores)
    attempt.submitted_at = at
    session.flush()


def seed_peer_cycle(session: Session, round_: Round, team_name: str, members: list[User], facility: Facility,
                    national: User, rng: random.Random) -> None:
    """A team scores ``facility`` blind, reconciles with its self-assessment and the
    national team releases the round's results."""
    if session.scalar(select(PeerTeam).where(PeerTeam.round_id == round_.id, PeerTeam.name == team_name)):
        return
    lead = members[0]
    team, _warnings = team_services.create_team(session, round_, team_name, members, lead, confirm_warnings=True)
    assignment, _warnings = team_services.assign(session, team, facility, round_.opened_at.date() if round_.opened_at else None,
                                                 confirm_warnings=True)
    peer = peer_services.start_peer_assessment(session, lead, assignment)
    self_scores = queries.scores_by_indicator(session, queries.find_self_assessment(session, facility.id, round_.id))
    for area in round_.sheet.areas:
        services.save_area(session, lead, peer, area, [_peer_answer(ind, self_scores[ind.id], rng) for ind in area.indicators])
    visited = assignment.planned_visit_on or utcnow().date()
    peer_services.submit_peer_assessment(session, lead, peer, peer_services.VisitInput(visited, "", visited))
    peer_scores = queries.scores_by_indicator(session, peer)
    agreed = [_agreed(ind, self_scores[ind.id], peer_scores[ind.id]) for ind in round_.sheet.indicators]
    peer_services.save_agreed(session, lead, facility, round_, agreed)
    peer_services.finalise_agreed(session, lead, facility, round_)
    release_services.release_results(session, national, round_, [facility.id])


def seed_planned_visit(session: Session, round_: Round, team_name: str, members: list[User], facility: Facility,
                       visit_on: dt.date) -> None:
    if session.scalar(select(PeerTeam).where(PeerTeam.round_id == round_.id, PeerTeam.name == team_name)):
        return
    team, _warnings = team_services.create_team(session, round_, team_name, members, members[0], confirm_warnings=True)
    team_services.assign(session, team, facility, visit_on, confirm_warnings=True)


def _peer_answer(indicator, self_score, rng: random.Random) -> AnswerInput:
    """Peers tend to score a little lower than the facility does, sometimes much lower."""
    if self_score.not_applicable:
        return AnswerInput(indicator.id, None, True, (), "", None)
    shift = rng.choices([0, -1, -2, 1], weights=[5, 4, 1, 1])[0]
    value = min(3, max(0, (self_score.value or 0) + shift))
    evidence = tuple(indicator.evidence_list[:2]) or ("observation",)
    return AnswerInput(indicator.id, value, False, evidence, "", None)


def _agreed(indicator, self_score, peer_score) -> AgreedInput:
    if peer_score.not_applicable or self_score.not_applicable:
        both_na = peer_score.not_applicable and self_score.not_applicable
        return AgreedInput(indicator.id, None if both_na else (peer_score.value or self_score.value), both_na,
                           "" if both_na else AGREED_REASON, None)
    value = peer_score.value if abs(self_score.value - peer_score.value) < 2 else (self_score.value + peer_score.value) // 2
    reason = AGREED_REASON if abs(self_score.value - peer_score.value) >= 2 else ""
    return AgreedInput(indicator.id, value, False, reason, None)


PRACTICE_TITLE_VI = "Hồ sơ mã hóa và tủ khóa hai lớp"


def seed_local_practice(session: Session, national: User, facility: Facility) -> None:
    """A published local practice, observed with the facility's consent (no client data)."""
    from shelterassess.cases.models import LocalPractice
    from shelterassess.cases.services import PracticeInput, create_practice, publish_practice

    if session.scalar(select(LocalPractice).where(LocalPractice.title_vi == PRACTICE_TITLE_VI)) is not None:
        return
    texts = {
        "title_vi": PRACTICE_TITLE_VI,
        "title_en": "Coded files in a double-locked cabinet",
        "summary_vi": "Mỗi hồ sơ chỉ mang mã số; sổ đối chiếu mã với tên do quản lý cơ sở giữ riêng trong tủ khóa.",
        "summary_en": "Each file carries only a code; the register linking codes to names is kept apart, locked, by the manager.",
        "what_was_done_vi": "Cán bộ đánh mã lại toàn bộ hồ sơ cũ trong hai tuần, lắp tủ hai khóa và ghi sổ mượn trả hồ sơ.",
        "what_was_done_en": "Staff re-coded every old file in two weeks, fitted a two-lock cabinet and started a file loan log.",
        "results_vi": "Đoàn đánh giá đồng cấp chấm tiêu chí hồ sơ mã hóa từ 1 lên 3 trong đợt sau.",
        "results_en": "The peer team scored the coded-files indicator 3 instead of 1 in the following round.",
        "lessons_vi": "Việc đánh mã hồ sơ cũ nên làm một lần, có người chịu trách nhiệm và thời hạn rõ ràng.",
        "lessons_en": "Re-coding old files works best as one task with a named owner and a deadline.",
    }
    practice = create_practice(session, national, PracticeInput(
        facility_id=facility.id, texts=texts, consent_given=True, pillars=("protection",),
        themes=("confidentiality",), indicator_keys=("confidentiality.coded-files",)))
    publish_practice(session, practice)
