"""User administration: admins create accounts and hand out one-time activation links.

Admins never see or set a password: a new account (or one whose owner forgot the
password) gets a link that works once, and the owner chooses the password.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import permissions as perm
from shelterassess.auth import mfa_services, services, throttle, users_queries
from shelterassess.auth.forms import ROLE_LABELS, CreateUserForm, ResetTwoFactorForm
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.facilities.queries import list_facilities
from shelterassess.web.access import get_or_404, require
from shelterassess.web.pagination import paginate

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def account_status(user: User, now: dt.datetime, limits: throttle.Limits | None = None) -> str:
    """deactivated, pending (no password yet), locked (too many failed logins from all
    addresses) or active."""
    if not user.active:
        return "deactivated"
    if user.password_hash is None:
        return "pending"
    if limits is not None and throttle.is_locked(db.session, throttle.account_key(user.email), limits):
        return "locked"
    return "active"


@bp.route("/")
@login_required
def index():
    require(perm.can_manage_users(current_user))
    page = paginate(db.session, users_queries.users_query(), request.args)
    now = utcnow()
    limits = throttle.Limits.from_config(current_app.config)
    keys = {u.id: throttle.account_key(u.email) for u in page.items}
    locked = users_queries.locked_keys(db.session, list(keys.values()), limits)
    status = {u.id: _listed_status(account_status(u, now), keys[u.id] in locked) for u in page.items}
    return render_template("users/index.html", users=page.items, page=page, status=status,
                           role_labels=ROLE_LABELS, form=EmptyForm())


def _listed_status(status: str, locked: bool) -> str:
    """``account_status`` with the lock read in bulk for the page (see ``users_queries.locked_keys``)."""
    return "locked" if status == "active" and locked else status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(perm.can_manage_users(current_user))
    form = CreateUserForm()
    form.facility.choices = [("", _("— none —"))] + [
        (str(f.id), f"{f.code} · {f.name}") for f in list_facilities(db.session)]
    if done := form.submit_to(lambda: _create_with_link(form)):
        user, token = done.result
        return _show_link(user, token, created=True)
    return render_template("users/form.html", form=form)


def _create_with_link(form: CreateUserForm) -> tuple[User, str]:
    """The new account and its activation token, in the one transaction of the request."""
    facility = db.session.get(Facility, int(form.facility.data)) if form.facility.data else None
    user = services.create_user(db.session, form.email.data, Role(form.role.data),
                                form.display_name.data.strip(), facility)
    return user, services.issue_activation_token(db.session, user, _lifetime())


@bp.route("/<int:user_id>/activation-link", methods=["POST"])
@login_required
def activation_link(user_id: int):
    require(perm.can_manage_users(current_user))
    user = get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = services.issue_activation_token(db.session, user, _lifetime())
    db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    return _show_link(user, token, created=False)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/<int:user_id>/activate", methods=["POST"])
@login_required
def activate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    require(perm.can_manage_users(current_user))
    user = get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not active and user.id == current_user.id:
        flash(_("You cannot deactivate your own account. Ask another administrator."), "error")
        return redirect(url_for(".index"))
    services.set_active(db.session, user, active)
    db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    if active:
        flash(_("%(email)s can log in again.", email=user.email), "success")
    else:
        flash(_("%(email)s is deactivated and has been logged out everywhere.", email=user.email), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>")
@login_required
def detail(user_id: int):
    require(perm.can_manage_users(current_user))
    return _detail(get_or_404(User, user_id), ResetTwoFactorForm())


def _detail(user: User, form: ResetTwoFactorForm, status: int = 200):
    limits = throttle.Limits.from_config(current_app.config)
    remaining = mfa_services.remaining_recovery_codes(db.session, user) if user.totp_enrolled else 0
    return render_template("users/detail.html", user=user, status=account_status(user, utcnow(), limits),
                           role_labels=ROLE_LABELS, form=form, remaining=remaining,
                           required=mfa_services.is_required(user, current_app.config.get("TOTP_REQUIRED_ROLES", ())),
                           action_form=EmptyForm()), status


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@login_required
def reset_two_factor(user_id: int):
    """For a lost phone: remove the enrolment and recovery codes, end the user's sessions; the
    reason, who and when are kept on the account and shown here."""
    require(perm.can_manage_users(current_user))
    user = get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot reset your own two-factor login. Ask another administrator."), "error")
        return redirect(url_for(".detail", user_id=user.id))
    if not user.totp_enrolled and not user.totp_secret_encrypted:
        flash(_("%(email)s has no two-factor login to reset.", email=user.email), "error")
        return redirect(url_for(".detail", user_id=user.id))
    form = ResetTwoFactorForm()
    if form.submit_to(lambda: mfa_services.admin_reset(db.session, user, current_user, form.reason.data)):
        flash(_("The two-factor login of %(email)s is reset and they have been logged out. "
                "At their next login they set it up again.", email=user.email), "success")
        return redirect(url_for(".detail", user_id=user.id))
    return _detail(user, form)


def _lifetime() -> dt.timedelta:
    return current_app.config["ACTIVATION_TOKEN_LIFETIME"]


def _show_link(user: User, token: str, created: bool):
    """The link is shown this once; only its hash is stored."""
    url = url_for("auth.activate", token=token, _external=True)
    return render_template("users/link.html", user=user, url=url, created=created,
                           duration=format_timedelta(_lifetime(), threshold=1.0),
                           role_labels=ROLE_LABELS)
