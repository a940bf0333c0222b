"""Account operations. They change data and flush; the caller commits."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.auth.models import ActivationToken, User, new_session_token
from shelterassess.auth.roles import Role
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.facilities.models import Facility

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


def configure_hasher(params: dict | None) -> None:
    """Set argon2id cost parameters (tests use cheap ones; production keeps the defaults)."""
    global _hasher
    _hasher = PasswordHasher(**params) if params else PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
_COMMON_PASSWORDS = frozenset(
    "password password1 password123 1234567890 12345678910 123456789 qwertyuiop 1q2w3e4r5t "
    "matkhau123 matkhau1234 abc1234567 iloveyou12 shelterassess admin12345".split()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str, field: str = "password") -> None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed([(field, _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed([(field, _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))])
    if password.lower() in _COMMON_PASSWORDS:
        raise ValidationFailed([(field, _("This password is too common. Choose another."))])


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str, *, max_failures: int, lock_minutes: int) -> User | None:
    """The user when the password is right and the account usable; otherwise None.

    Unknown email, wrong password, locked or inactive account all look the same to
    the caller, so the login page cannot be used to find out who has an account.
    """
    user = find_user_by_email(session, email)
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    now = utcnow()
    if user.locked_until and _aware(user.locked_until) > now:
        return None
    if not verify_password(user, password) or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + dt.timedelta(minutes=lock_minutes)
            user.failed_logins = 0
        session.flush()
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
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
    user.active = True
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    from flask_babel import gettext as _

    if not verify_password(user, current):
        raise ValidationFailed([("current_password", _("The current password is not correct."))])
    check_password_policy(new, "new_password")
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()  # ends the user's other sessions
    session.flush()


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.flush()


def set_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    user.session_token = new_session_token()
    session.flush()
