"""Login, logout, activation, password change, language choice."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shelterassess.auth import services
from shelterassess.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from shelterassess.auth.models import User
from shelterassess.extensions import db, login_manager
from shelterassess.i18n import LOCALE_SESSION_KEY, supported_locales

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _sep, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        user = services.authenticate(
            db.session, form.email.data, form.password.data,
            max_failures=cfg["LOGIN_MAX_FAILURES"], lock_minutes=cfg["LOGIN_LOCK_MINUTES"],
        )
        db.session.commit()
        if user is not None:
            return _start_session(user)
        form.form_errors.append(_("Email or password is not correct, or the account is locked for a while."))
    return render_template("auth/login.html", form=form)


def _start_session(user: User):
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()  # a fresh session at login
    if user.locale is None and locale:
        services.set_locale(db.session, user, locale)
        db.session.commit()
    session.permanent = True
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.dashboard")


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    if len(token) > 100 or services.find_valid_token(db.session, token) is None:
        return render_template("auth/activation_invalid.html"), 404
    form = SetPasswordForm()
    if form.submit_to(lambda: services.activate(db.session, token, form.password.data)):
        flash(_("Your password is set. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/activate.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.submit_to(lambda: services.change_password(db.session, current_user, form.current_password.data,
                                                       form.new_password.data)):
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
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))

