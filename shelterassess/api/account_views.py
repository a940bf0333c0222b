"""The account page's API tokens: create one (shown once), list and revoke one's own tokens.

An ordinary page (session and CSRF token, like the password page). Every user may hold tokens; a
token can do through the API only what its owner may do on the pages.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from shelterassess.api import services
from shelterassess.assessments.forms import EmptyForm
from shelterassess.auth import services as auth_services, throttle
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.web.access import require
from shelterassess.web.forms import BaseForm, commit_or_flash
from shelterassess.web.validators import no_control_characters

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")

#: The page holds a secret once: no cache may keep it.
NO_STORE = {"Cache-Control": "no-store"}


class TokenForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=services.NAME_MAX_LENGTH),
                                                no_control_characters],
                       description=_l("What uses the token, e.g. “data sync laptop”."))
    lifetime = SelectField(_l("Works for"), coerce=int, default=90,
                           choices=[(30, _l("30 days")), (90, _l("90 days")), (365, _l("1 year"))])
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             description=_l("Asked again: a token outlives this session."))


def can_hold_api_tokens(user) -> bool:
    """Every signed-in user, whatever the role, may hold tokens: a token can do only what its owner can."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in {role.value for role in Role}


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    tokens = services.user_tokens(db.session, current_user)
    now = utcnow()
    return render_template("api/tokens.html", form=form, tokens=tokens, new_token=new_token,
                           expired={t.id for t in tokens if services.is_expired(t, now)},
                           revoke_form=EmptyForm()), status, NO_STORE


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    require(can_hold_api_tokens(current_user))
    form = TokenForm()

    def create():
        user = current_user._get_current_object()
        auth_services.confirm_password(db.session, user, form.password.data, "password",
                                       address=request.remote_addr or "unknown",
                                       limits=throttle.Limits.from_config(current_app.config))
        return services.create_token(db.session, user, form.name.data, form.lifetime.data)

    try:
        done = form.submit_to(create)
    except (throttle.AddressThrottled, auth_services.PasswordGuessesLocked):
        db.session.rollback()
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        form.form_errors.append(_("Too many failed attempts. Wait %(minutes)d minutes, then try "
                                  "again; an administrator can help if you forgot your password.", minutes=minutes))
        page, _status, headers = _page(form)
        return page, 429, {**headers, "Retry-After": str(minutes * 60)}
    if done:
        _row, token = done.result
        return _page(TokenForm(formdata=None), new_token=token)
    return _page(form)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    require(can_hold_api_tokens(current_user))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.revoke_token(db.session, current_user, token_id)):
        flash(_("The token is revoked. Programs using it are refused from now on."), "success")
    return redirect(url_for(".index"))
