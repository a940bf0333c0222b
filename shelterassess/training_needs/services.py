"""Skills and follow-up trainings for training needs. Flush only; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shelterassess.assessors import services as assessor_services
from shelterassess.errors import ValidationFailed
from shelterassess.peer.models import TrainingSession
from shelterassess.plans.models import Skill, training_session_action
from shelterassess.training_needs import domain, queries

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class SkillInput:
    name_vi: str
    name_en: str
    active: bool = True


def seed_skills(session: Session) -> int:
    """Add the shipped skills that are missing (by key); never changes an existing one. Returns how many were added."""
    existing = set(session.scalars(select(Skill.key)))
    top = max([s.position for s in session.scalars(select(Skill))] or [0])
    added = 0
    for seed in domain.SKILLS:
        if seed.key not in existing:
            added += 1
            session.add(Skill(key=seed.key, name_vi=seed.name_vi, name_en=seed.name_en, position=top + added))
    session.flush()
    return added


def save_skill(session: Session, data: SkillInput, skill: Skill | None = None) -> Skill:
    """Add a skill, or rename, deactivate or reactivate ``skill``. Its key never changes."""
    name_vi, name_en = data.name_vi.strip(), data.name_en.strip()
    errors: list[tuple[str | None, str]] = []
    if not name_vi:
        errors.append(("name_vi", _("Give the skill's name in Vietnamese.")))
    if not name_en:
        errors.append(("name_en", _("Give the skill's name in English.")))
    for field, value in (("name_vi", name_vi), ("name_en", name_en)):
        if len(value) > NAME_MAX_LENGTH:
            errors.append((field, _("The name is longer than %(n)d characters.", n=NAME_MAX_LENGTH)))
    taken = [s for s in queries.all_skills(session) if s is not skill
             and (s.name_vi.casefold() == name_vi.casefold() or s.name_en.casefold() == name_en.casefold())]
    if name_vi and name_en and taken:
        errors.append((None, _("A skill with this name exists already: %(name)s.", name=taken[0].name_en)))
    if errors:
        raise ValidationFailed(errors)
    if skill is None:
        skills = queries.all_skills(session)
        skill = Skill(key=domain.unique_key(name_en, [s.key for s in skills]),
                      position=max([s.position for s in skills] or [0]) + 1)
        session.add(skill)
    skill.name_vi, skill.name_en, skill.active = name_vi, name_en, data.active
    session.flush()
    return skill


def schedule_training(session: Session, skill: Skill, action_ids: list[int],
                      new_training: assessor_services.TrainingInput | None,
                      training: TrainingSession | None = None) -> TrainingSession:
    """Link the chosen needs of ``skill`` to ``training``, or to a new training session made from
    ``new_training`` (the assessors' training sessions). Only open needs naming the skill can be linked."""
    open_needs = {line.action.id: line for line in queries.needs_for_skill(session, skill.id)}
    if not action_ids:
        raise ValidationFailed([("action_ids", _("Choose at least one action the training answers."))])
    if any(a not in open_needs for a in action_ids):
        raise ValidationFailed([("action_ids", _(
            "An action you chose is not an open capacity-building need for this skill (it may have been dropped "
            "or changed). Nothing was saved: reload the page."))])
    if training is None:
        if new_training is None:
            raise ValidationFailed([("training_id", _("Choose a training, or describe a new one."))])
        training = assessor_services.save_training(session, new_training)
    linked = {line.action.id for line in open_needs.values() if any(t.id == training.id for t in line.trainings)}
    rows = [{"training_id": training.id, "action_id": a} for a in sorted(set(action_ids) - linked)]
    if rows:
        session.execute(insert(training_session_action), rows)
    session.flush()
    return training
