"""Training needs: the national page of needs by skill and province, scheduling a follow-up
training for a skill's needs, and the editable list of skills."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from shelterassess.auth import permissions as perm
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.i18n import localized
from shelterassess.plans.models import Skill
from shelterassess.training_needs import domain, queries, services
from shelterassess.training_needs.forms import ScheduleTrainingForm, SkillForm
from shelterassess.web.access import get_or_404, require

bp = Blueprint("training_needs", __name__, url_prefix="/training-needs")


@bp.app_template_global()
def training_actions(training) -> list:
    """The capacity-building actions a training session answers (for the training page)."""
    try:
        return queries.actions_of_training(db.session, training.id)
    except SQLAlchemyError:
        return []


def _today():
    return to_user_timezone(utcnow()).date()


@bp.route("/")
@login_required
def index():
    require(perm.can_view_training_needs(current_user))
    skills = queries.all_skills(db.session)
    provinces = queries.provinces(db.session)
    table = domain.needs_table(queries.need_counts(db.session), [s.id for s in skills], [p.id for p in provinces])
    return render_template("training_needs/index.html", table=table, skills={s.id: s for s in skills},
                           provinces={p.id: p for p in provinces})


@bp.route("/skills/<int:skill_id>/training", methods=["GET", "POST"])
@login_required
def schedule(skill_id: int):
    require(perm.can_view_training_needs(current_user) and perm.can_manage_training(current_user))
    skill = get_or_404(Skill, skill_id)
    needs = queries.needs_for_skill(db.session, skill.id)
    upcoming = queries.upcoming_trainings(db.session, _today())
    form = ScheduleTrainingForm()
    form.action_ids.choices = [(n.action.id, n.action.description) for n in needs]
    form.training_id.choices = [(0, _("A new training session"))] + [
        (t.id, f"{t.title} · {t.held_on.isoformat()} · {t.place}") for t in upcoming]
    if request.method == "GET":
        form.action_ids.data = [n.action.id for n in needs if not n.trainings]
        form.title.data = _("Follow-up training: %(skill)s", skill=localized(skill, "name"))
    chosen = next((t for t in upcoming if t.id == form.training_id.data), None)
    if form.training_id.data and chosen is None and request.method == "POST":
        form.training_id.errors = [_("Choose a training session from the list.")]
    elif done := form.submit_to(lambda: services.schedule_training(
            db.session, skill, list(form.action_ids.data or []), form.new_training(), chosen)):
        flash(_("Training session %(title)s now answers the chosen needs.", title=done.result.title), "success")
        return redirect(url_for("assessors.training", training_id=done.result.id))
    return render_template("training_needs/schedule.html", form=form, skill=skill, needs=needs), \
        422 if form.errors or form.form_errors else 200


# -- skills ---------------------------------------------------------------------------

@bp.route("/skills")
@login_required
def skills():
    require(perm.can_manage_skills(current_user))
    return render_template("training_needs/skills.html", skills=queries.all_skills(db.session))


@bp.route("/skills/new", methods=["GET", "POST"])
@login_required
def new_skill():
    require(perm.can_manage_skills(current_user))
    return _skill_form(SkillForm(), None)


@bp.route("/skills/<int:skill_id>/edit", methods=["GET", "POST"])
@login_required
def edit_skill(skill_id: int):
    require(perm.can_manage_skills(current_user))
    skill = get_or_404(Skill, skill_id)
    return _skill_form(SkillForm(obj=skill), skill)


def _skill_form(form: SkillForm, skill: Skill | None):
    if done := form.submit_to(lambda: services.save_skill(db.session, form.to_input(), skill)):
        flash(_("Skill %(name)s saved.", name=localized(done.result, "name")), "success")
        return redirect(url_for(".skills"))
    return render_template("training_needs/skill_form.html", form=form, skill=skill), \
        422 if form.errors or form.form_errors else 200


from shelterassess.training_needs import exports as _exports  # noqa: E402,F401  (CSV/XLSX downloads, on bp)
