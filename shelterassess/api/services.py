"""Personal API tokens: create, revoke, look up. They change data and flush; the caller commits.

The audit trail records creation and revocation by itself (the session listeners see the new row
and ``revoked_at`` being set: verbs ``create`` and ``revoke`` on ``api_token``); the token and its
hash are never part of an audit row.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shelterassess.api.models import REVOKE_REASONS, ApiToken
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed

#: Every token starts with this, so that a token pasted into a chat or a repository is recognisable
#: (secret scanners can look for it).
TOKEN_PREFIX = "sa_"  # nosec B105 # a public prefix, not a secret
NAME_MAX_LENGTH = 100
#: A user may hold this many usable tokens at once.
MAX_ACTIVE_TOKENS = 10
#: Lifetimes offered on the account page, in days.
LIFETIME_DAYS = (30, 90, 365)
#: ``last_used_at`` is written at most this often per token (one small UPDATE, not one per request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; they are UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def is_expired(token: ApiToken, now: dt.datetime | None = None) -> bool:
    expires = _aware(token.expires_at)
    return expires is not None and expires <= (now or utcnow())


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """All the user's tokens, newest first (revoked ones stay listed with the reason)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def create_token(session: Session, user: User, name: str, lifetime_days: int) -> tuple[ApiToken, str]:
    """A new token for ``user`` (scoped to the user's current role and facility); returns the row
    and the token, which is shown once and never stored."""
    from flask_babel import gettext as _

    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed([("name", _("Give the token a name, e.g. the device or program that uses it."))])
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed([("name", _("Use at most %(n)d characters.", n=NAME_MAX_LENGTH))])
    if lifetime_days not in LIFETIME_DAYS:
        raise ValidationFailed([("lifetime", _("Choose how long the token works."))])
    now = utcnow()
    usable = session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)))
    if usable >= MAX_ACTIVE_TOKENS:
        raise ValidationFailed([(None, _("You have %(n)d tokens that still work. Revoke one you no longer use "
                                         "first.", n=MAX_ACTIVE_TOKENS))])
    token = new_token()
    row = ApiToken(user_id=user.id, name=name, token_hash=digest(token), hint=token[:len(TOKEN_PREFIX) + 4],
                   role=user.role, facility_id=user.facility_id, expires_at=now + dt.timedelta(days=lifetime_days))
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens. Revoking a revoked token changes nothing."""
    from flask_babel import gettext as _

    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise ValidationFailed([(None, _("This token does not exist or is not yours."))])
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = "revoked"
        session.flush()
    return row


def revoke_all(session: Session, user: User, reason: str) -> int:
    """Revoke every usable token of ``user`` (password changed or set again, account deactivated,
    role changed), like the user's sessions. Loads the rows, so the audit trail records each
    revocation. Returns how many were revoked."""
    if reason not in REVOKE_REASONS:
        raise ValueError(reason)
    now = utcnow()
    rows = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
        row.revoked_reason = reason
    session.flush()
    return len(rows)


def find_usable_token(session: Session, token: str) -> tuple[ApiToken | None, str]:
    """(the token's row, "") when ``token`` may be used now; else (the row or None, why not:
    "unknown", "revoked", "expired", "inactive user" or "role or facility changed")."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None, "unknown"
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None:
        return None, "unknown"
    if row.revoked_at is not None:
        return row, "revoked"
    if is_expired(row):
        return row, "expired"
    user = row.user
    if not user.is_active:
        return row, "inactive user"
    if user.role != row.role or user.facility_id != row.facility_id:
        return row, "role or facility changed"
    return row, ""


def note_use(session: Session, row: ApiToken) -> bool:
    """Set ``last_used_at`` when it is older than :data:`LAST_USED_RESOLUTION`. Written on the
    session's connection, not through the ORM: it is bookkeeping, not an event of the audit trail
    (the listeners see ORM flushes and ``Session.execute`` only). Returns whether it wrote; the
    caller commits."""
    now = utcnow()
    last = _aware(row.last_used_at)
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return False
    table = ApiToken.__table__
    session.connection().execute(update(table).where(table.c.id == row.id).values(last_used_at=now))
    set_committed_value(row, "last_used_at", now)  # the row in memory agrees, without a change to flush
    return True
