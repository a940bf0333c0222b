"""Account operations. They change data and flush; the caller commits."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth import throttle
from shelterassess.auth.models import ActivationToken, User, new_session_token
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.facilities.models import Facility

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
_dummy_hash: str | None = None


def configure_hasher(params: dict | None) -> None:
    """Set argon2id cost parameters (tests use cheap ones; production keeps the defaults)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(**params) if params else PasswordHasher()
    _dummy_hash = None


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
_PROJECT_WORDS = frozenset("shelterassess matkhau123 matkhau1234 matkhau12345 admin12345".split())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list (``auth/data/common-passwords.txt``: source and licence in its header)."""
    lines = (files("shelterassess.auth") / "data" / "common-passwords.txt").read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return frozenset(line.strip() for line in lines[start:] if line.strip()) | _PROJECT_WORDS


def check_password_policy(password: str, field: str = "password", *, old: str | None = None) -> None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed([(field, _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed([(field, _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))])
    if len(set(password)) == 1:
        raise ValidationFailed([(field, _("Do not use one character repeated. Choose another password."))])
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        raise ValidationFailed([(field, _("This password is too common. Choose another."))])
    if old is not None and password == old:
        raise ValidationFailed([(field, _("The new password must differ from the current one."))])


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password``; without a usable hash (unknown, not yet activated) the same argon2
    work is done against a dummy hash, so the time taken reveals nothing."""
    if user is None or not user.password_hash:
        spend_hash_time(password)
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def spend_hash_time(password: str) -> None:
    """Verify against a dummy hash made with the current parameters (always fails)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    try:
        _hasher.verify(_dummy_hash, password)
    except (VerificationError, InvalidHashError):
        pass


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str, *, address: str, limits: throttle.Limits) -> User | None:
    """The user when the password is right and the account usable; otherwise None.

    Unknown email, wrong password, locked, inactive or not-yet-activated account all look
    the same to the caller and cost the same password-hash work, so the login page cannot
    be used to find out who has an account. The attempt is recorded and committed first
    (see :mod:`throttle`); raises :class:`throttle.AddressThrottled` when the address is over
    its limit. For a user with two-factor login the attempt stays counted until the code is
    accepted (:func:`mfa_services.second_step`). Commits.
    """
    attempt = throttle.record(session, throttle.account_key(email), address, limits.window)
    allowed = throttle.check(session, attempt, limits)
    user = find_user_by_email(session, email)
    if not allowed:
        spend_hash_time(password)
        return None
    if not verify_password(user, password) or user is None or not user.is_active:
        session.commit()
        return None
    if user.totp_enrolled:
        # The second step still has to pass: this attempt stays counted until it does, so
        # that repeating the password step cannot reset the count of wrong codes.
        session.commit()
        return user
    throttle.succeeded(session, attempt, limits)
    user.last_login_at = utcnow()
    session.commit()
    return user


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def create_user(
    session: Session, email: str, role: Role, display_name: str = "", facility: Facility | None = None
) -> User:
    from flask_babel import gettext as _

    email = normalize_email(email)
    if find_user_by_email(session, email) is not None:
        raise ValidationFailed([("email", _("An account with this email already exists."))])
    if role.belongs_to_facility and facility is None:
        raise ValidationFailed([("facility", _("Facility staff and managers need a facility."))])
    if not role.belongs_to_facility and facility is not None:
        raise ValidationFailed([("facility", _("Only facility staff and managers belong to a facility."))])
    user = User(email=email, role=role.value, display_name=display_name or email.split("@")[0], facility=facility)
    session.add(user)
    session.flush()
    return user


def issue_activation_token(session: Session, user: User, lifetime: dt.timedelta) -> str:
    """A fresh one-time token (returned once, stored only as a hash); older ones stop working."""
    for old in session.scalars(select(ActivationToken).where(ActivationToken.user_id == user.id, ActivationToken.used_at.is_(None))):
        old.used_at = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(ActivationToken(user_id=user.id, token_hash=_digest(token), expires_at=utcnow() + lifetime))
    session.flush()
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_valid_token(session: Session, token: str) -> ActivationToken | None:
    record = session.scalar(select(ActivationToken).where(ActivationToken.token_hash == _digest(token)))
    if record is None or record.used_at is not None or _aware(record.expires_at) <= utcnow():
        return None
    if not record.user.active:  # deactivated after the link was issued
        return None
    return record


def activate(session: Session, token: str, password: str) -> User:
    from flask_babel import gettext as _

    record = find_valid_token(session, token)
    if record is None:
        raise ValidationFailed([(None, _("This activation link is invalid or has expired. Ask an administrator for a new one."))])
    check_password_policy(password)
    record.used_at = utcnow()
    user = record.user
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    _revoke_api_tokens(session, user, "activation")
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str, *, address: str,
                    limits: throttle.Limits) -> None:
    """Throttled like a login (the current password could be guessed here). Commits the
    attempt; raises :class:`throttle.AddressThrottled` or :class:`PasswordGuessesLocked`."""
    attempt = confirm_password(session, user, current, "current_password", address=address, limits=limits)
    check_password_policy(new, "new_password", old=current)
    throttle.succeeded(session, attempt, limits)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()  # ends the user's other sessions
    _revoke_api_tokens(session, user, "password_change")
    session.flush()


def confirm_password(session: Session, user: User, password: str, field: str, *, address: str,
                     limits: throttle.Limits):
    """The signed-in user's own password, asked again before a sensitive change (a new password,
    an API token): throttled like a login, since it could be guessed here. Commits the attempt;
    raises :class:`throttle.AddressThrottled`, :class:`PasswordGuessesLocked`, or
    :class:`ValidationFailed` on ``field``. Returns the attempt (see :func:`throttle.succeeded`)."""
    from flask_babel import gettext as _

    attempt = throttle.record(session, throttle.account_key(user.email), address, limits.window)
    if not throttle.check(session, attempt, limits):
        spend_hash_time(password)
        raise PasswordGuessesLocked()
    if not verify_password(user, password):
        raise ValidationFailed([(field, _("The current password is not correct."))])
    return attempt


class PasswordGuessesLocked(Exception):
    """Too many wrong current passwords for this account: answer 429."""


def end_sessions(session: Session, user: User) -> None:
    """Revoke every session cookie of ``user`` (logout, role change): the token in them no
    longer matches."""
    user.session_token = new_session_token()
    session.flush()


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.flush()


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivation logs the user out everywhere and cancels pending activation links."""
    user.active = active
    user.session_token = new_session_token()
    if not active:
        for pending in session.scalars(select(ActivationToken).where(ActivationToken.user_id == user.id,
                                                                     ActivationToken.used_at.is_(None))):
            pending.used_at = utcnow()
        _revoke_api_tokens(session, user, "deactivated")
    session.flush()


def set_role(session: Session, user: User, role: Role) -> None:
    """Change a role; the user's sessions end, so the new rights apply from a fresh login."""
    user.role = role.value
    end_sessions(session, user)
    _revoke_api_tokens(session, user, "role_change")


def _revoke_api_tokens(session: Session, user: User, reason: str) -> None:
    """API tokens end with the sessions when the password changes or the account changes (issue 13)."""
    from shelterassess.api.services import revoke_all

    revoke_all(session, user, reason)
