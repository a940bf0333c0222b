"""Two-factor login: the login's second step, enrolment, recovery codes, turning it off.

After a right password, a user with two-factor login is *not* logged in yet: the session
holds a short-lived marker (user id, the user's session token, time; valid
:data:`PENDING_LIFETIME`) and the browser goes to ``/login/code``, which has one field
``code`` (a 6-digit code or a recovery code). Wrong codes count in the login throttle.

Roles in ``TOTP_REQUIRED_ROLES`` that are not enrolled are logged in after the password,
but every page except the setup page (and logout, language, static files) redirects there.
"""
from __future__ import annotations

import datetime as dt
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.audit import services as audit
from shelterassess.auth import mfa_services, throttle, totp
from shelterassess.auth.forms import CodeForm
from shelterassess.auth.models import User
from shelterassess.auth.views import NO_STORE, _client_address, _limits, _start_session, _too_many_attempts, bp
from shelterassess.extensions import db
from shelterassess.i18n import LOCALE_SESSION_KEY
from shelterassess.web.redirects import safe_local_path

PENDING_KEY = "_second_factor"
PENDING_LIFETIME = dt.timedelta(minutes=5)
#: The secret shown on the setup page, sealed with the TOTP key, until the user confirms it with a code.
SETUP_KEY = "_totp_setup"
#: Reachable while a required enrolment is missing.
OPEN_ENDPOINTS = frozenset({"auth.two_factor_setup", "auth.logout", "auth.set_language", "static", "main.health"})


def _box() -> totp.SecretBox:
    return totp.SecretBox.from_config(current_app.config)


def _required_roles():
    return current_app.config.get("TOTP_REQUIRED_ROLES", ())


def ask_for_code(user: User, next_target: str | None):
    """After the right password: remember who is half logged in, ask for the code."""
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()
    if locale:
        session[LOCALE_SESSION_KEY] = locale
    session[PENDING_KEY] = {"user": user.id, "token": user.session_token, "at": int(time.time()),
                            "next": safe_local_path(next_target)}
    return redirect(url_for("auth.login_code"))


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    started = pending.get("at")
    if not isinstance(started, int) or not 0 <= time.time() - started <= PENDING_LIFETIME.total_seconds():
        return None
    user = db.session.get(User, pending["user"])
    if user is None or user.session_token != pending.get("token") or not user.is_active or not user.totp_enrolled:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    user = _pending_user()
    if user is None:
        if session.pop(PENDING_KEY, None) is not None:
            flash(_("Your login has expired. Log in again."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = mfa_services.second_step(db.session, user, form.code.data, _box(),
                                            address=_client_address(), limits=_limits())
        except (throttle.AddressThrottled, mfa_services.CodeGuessesLocked):
            db.session.rollback()
            audit.login_failed(db.session, user.email, "too many attempts")
            return _too_many_attempts("auth/login_code.html", form)
        if used:
            next_target = session[PENDING_KEY].get("next")
            response = _start_session(user, next_target)
            if used == "recovery":
                flash(_("You used a recovery code. %(n)d remain; make new ones on your two-factor page if few are left.",
                        n=mfa_services.remaining_recovery_codes(db.session, user)), "warning")
            return response
        form.code.errors.append(mfa_services.WRONG_CODE())
    return render_template("auth/login_code.html", form=form), 200, NO_STORE


@bp.before_app_request
def _require_enrolment():
    """Users whose role requires two-factor login reach only the setup page until they enrol."""
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None or not _required_roles():
        return None
    from shelterassess.web.sessions import _end_expired_session

    _end_expired_session()  # this hook runs before the session module's: apply the absolute limit first
    if not current_user.is_authenticated:
        return None
    if mfa_services.must_enrol(current_user, _required_roles()):
        return redirect(url_for("auth.two_factor_setup"))
    return None


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    user = current_user._get_current_object()
    if user.totp_enrolled:
        return redirect(url_for("auth.two_factor"))
    secret = mfa_services.pending_secret(session.get(SETUP_KEY), _box())
    session[SETUP_KEY] = _box().encrypt(secret)  # the same key on reload; sealed, and nothing in the database yet
    form = CodeForm()
    if done := form.submit_to(lambda: mfa_services.confirm_enrolment(db.session, user, secret, form.code.data, _box())):
        session.pop(SETUP_KEY, None)
        flash(_("Two-factor login is on. From now on you enter a code from your app after your password."), "success")
        return _show_codes(done.result)
    uri = totp.otpauth_uri(secret, user.email)
    required = mfa_services.is_required(user, _required_roles())
    return render_template("auth/two_factor_setup.html", form=form, secret=totp.group_secret(secret),
                           qr=totp.qr_svg(uri, _("QR code for your authenticator app")), required=required), 200, NO_STORE


def _show_codes(codes: list[str]):
    return render_template("auth/two_factor_codes.html", codes=codes), 200, NO_STORE


@bp.route("/account/two-factor")
@login_required
def two_factor():
    user = current_user._get_current_object()
    remaining = mfa_services.remaining_recovery_codes(db.session, user) if user.totp_enrolled else 0
    return render_template("auth/two_factor.html", user=user, remaining=remaining,
                           required=mfa_services.is_required(user, _required_roles()),
                           regenerate_form=CodeForm(prefix="regenerate"), disable_form=CodeForm(prefix="disable"))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_regenerate():
    user = current_user._get_current_object()
    if not user.totp_enrolled:
        return redirect(url_for("auth.two_factor_setup"))
    form = CodeForm(prefix="regenerate")
    return _guarded(form, lambda: mfa_services.regenerate_recovery_codes(db.session, user, form.code.data, _box()),
                    lambda codes: _show_codes(codes), event="totp_codes")


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def two_factor_disable():
    user = current_user._get_current_object()
    if not user.totp_enrolled:
        return redirect(url_for("auth.two_factor"))
    form = CodeForm(prefix="disable")

    def done(_result):
        flash(_("Two-factor login is off."), "success")
        return redirect(url_for("auth.two_factor"))

    return _guarded(form, lambda: mfa_services.disable(db.session, user, form.code.data, _box(), _required_roles()),
                    done, event="totp_disable")


def _guarded(form: CodeForm, action, on_success, event: str):
    """Run a code-checking ``action`` counted in the login throttle; errors are flashed on the
    two-factor page, and a refusal is kept in the audit trail as ``event`` with outcome failure."""
    user = current_user._get_current_object()
    try:
        done = form.submit_to(lambda: mfa_services.guarded_check(db.session, user, _client_address(), _limits(), action))
    except (throttle.AddressThrottled, mfa_services.CodeGuessesLocked):
        audit.record_now(db.session, event, obj=user, outcome="failure", detail="too many attempts")
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        flash(_("Too many wrong codes. Wait %(minutes)d minutes, then try again.", minutes=minutes), "error")
        return redirect(url_for("auth.two_factor")), 302, {"Retry-After": str(minutes * 60)}
    if done:
        return on_success(done.result)
    if form.is_submitted():
        audit.record_now(db.session, event, obj=user, outcome="failure", detail="wrong code")
    for message in [*form.form_errors, *form.code.errors]:
        flash(message, "error")
    return redirect(url_for("auth.two_factor"))

