"""The whole history of a plan, and of one action (its progress notes and changes), page by page.
The plan page shows only the latest few of each; these pages show them all, to whoever may see
the plan."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from shelterassess.extensions import db
from shelterassess.plans import display, history_queries, queries
from shelterassess.plans.views import load_action, load_plan
from shelterassess.plans.views_actions import bp
from shelterassess.web.section_pages import paginate_section


@bp.route("/<int:plan_id>/history")
@login_required
def plan_history(plan_id: int):
    plan, _lead = load_plan(plan_id)
    page = history_queries.history_page(db.session, plan, request.args)
    return render_template("plans/history.html", plan=plan, page=page, action=None, number=None,
                           history=display.history(page.items, queries.action_numbers(plan)))


@bp.route("/actions/<int:action_id>/history")
@login_required
def action_history(action_id: int):
    action, plan, _lead = load_action(action_id)
    numbers = queries.action_numbers(plan)
    page = paginate_section(db.session, history_queries.plan_events_query(plan.id, action.id), request.args,
                            "history_page", size=history_queries.history_size())
    notes = paginate_section(db.session, history_queries.action_notes_query(action.id), request.args, "notes_page",
                             size=history_queries.notes_size())
    return render_template("plans/history.html", plan=plan, page=page, action=action, number=numbers[action.id],
                           notes=notes, history=display.history(page.items, numbers))
