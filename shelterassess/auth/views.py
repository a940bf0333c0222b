"""Login, logout, activation, password change, language choice."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shelterassess.audit import services as audit
from shelterassess.auth import services, throttle
from shelterassess.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from shelterassess.auth.models import User
from shelterassess.extensions import db, login_manager
from shelterassess.i18n import LOCALE_SESSION_KEY, supported_locales
from shelterassess.web.params import int_or_none
from shelterassess.web.redirects import safe_local_path
from shelterassess.web.sessions import mark_started

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _sep, token = user_id.partition(":")
    number = int_or_none(ident)
    if number is None or not token:
        return None
    user = db.session.get(User, number)
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data,
                                         address=_client_address(), limits=_limits())
        except throttle.AddressThrottled:
            audit.login_failed(db.session, form.email.data, "too many attempts")
            return _too_many_attempts("auth/login.html", form)
        if user is not None:
            if user.totp_enrolled:
                return mfa_views.ask_for_code(user, request.args.get("next"))
            return _start_session(user)
        audit.login_failed(db.session, form.email.data)
        form.form_errors.append(_("Email or password is not correct, or the account is locked for a while."))
    return render_template("auth/login.html", form=form)


def _client_address() -> str:
    """The client's address (``request.remote_addr`` is the proxy's unless ``PROXY_COUNT`` is set)."""
    return request.remote_addr or "unknown"


def _limits() -> throttle.Limits:
    return throttle.Limits.from_config(current_app.config)


def _too_many_attempts(template: str, form):
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    form.form_errors.append(_("Too many failed attempts. Wait %(minutes)d minutes, then try "
                              "again; an administrator can help if you forgot your password.", minutes=minutes))
    return render_template(template, form=form), 429, {"Retry-After": str(minutes * 60)}


def _start_session(user: User, next_target: str | None = None):
    """Log ``user`` in with a fresh session and go to ``next_target`` (else the ``next``
    parameter, else the dashboard)."""
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()  # a fresh session at login
    if user.locale is None and locale:
        services.set_locale(db.session, user, locale)
        db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    session.permanent = True
    mark_started()
    login_user(user)
    audit.login_succeeded(db.session, user)
    return redirect(_safe_next(next_target or request.args.get("next")))


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("main.dashboard")


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(db.session, current_user)  # a copy of the cookie is refused from now on
        audit.account_event(db.session, "logout", current_user._get_current_object())
        db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    if len(token) > 100 or services.find_valid_token(db.session, token) is None:
        return render_template("auth/activation_invalid.html"), 404, NO_STORE
    form = SetPasswordForm()
    if form.submit_to(lambda: audit.account_event(db.session, "account_activated",
                                                  services.activate(db.session, token, form.password.data))):
        flash(_("Your password is set. You can log in now."), "success")
        return redirect(url_for("auth.login")), 302, NO_STORE
    return render_template("auth/activate.html", form=form), 200, NO_STORE


#: The activation link is a secret: no cache may keep the page (or the password form).
NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()

    def change() -> None:
        services.change_password(db.session, current_user, form.current_password.data, form.new_password.data,
                                 address=_client_address(), limits=_limits())
        audit.account_event(db.session, "password_change", current_user._get_current_object())

    try:
        done = form.submit_to(change)
    except (throttle.AddressThrottled, services.PasswordGuessesLocked):
        db.session.rollback()
        audit.account_event(db.session, "password_change", current_user._get_current_object(), "failure",
                            "too many attempts")
        db.session.commit()  # nosemgrep: commit-outside-error-handling (after the rollback: the refusal's audit event)
        return _too_many_attempts("auth/change_password.html", form)
    if form.current_password.errors and request.method == "POST":  # a wrong current password: a guess
        audit.account_event(db.session, "password_change", current_user._get_current_object(), "failure",
                            "wrong current password")
        db.session.commit()  # nosemgrep: commit-outside-error-handling (the refusal's audit event)
    if done:
        login_user(current_user._get_current_object())  # new session token: re-issue this cookie
        flash(_("Your password has been changed. Other sessions have been logged out."), "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale not in supported_locales():
        abort(400)
    session[LOCALE_SESSION_KEY] = locale
    if current_user.is_authenticated:
        services.set_locale(db.session, current_user, locale)
        db.session.commit()  # nosemgrep: commit-outside-error-handling (refuses nothing)
    return redirect(_safe_next(request.form.get("next")))



from shelterassess.auth import mfa_views  # noqa: E402,F401  (the two-factor routes, on this blueprint)
