"""Two-factor login operations (enrol, check a code, recovery codes, disable, admin reset).
They change data and flush; the caller commits. The pure rules are in :mod:`totp`.

A code is single use: accepting a TOTP code is one conditional ``UPDATE user SET
totp_last_step = :step WHERE id = :id AND totp_last_step < :step`` whose row count says
whether this request won; a recovery code is one ``UPDATE … SET used_at = now WHERE
used_at IS NULL``. Two parallel requests with the same code cannot both succeed.

Each operation adds its event to the audit trail in the same transaction: enrolment
confirmed, turned off, recovery codes made again, a recovery code used at login, a wrong code
at the second step, an administrator's reset (never a code, a secret or the reset's reason).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shelterassess.audit.services import record as audit
from shelterassess.auth import throttle, totp
from shelterassess.auth.models import RecoveryCode, User, new_session_token
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed

REASON_MAX_LENGTH = 500


def is_required(user: User, required_roles: Iterable) -> bool:
    return user.role in totp.required_roles(required_roles)


def must_enrol(user: User, required_roles: Iterable) -> bool:
    return is_required(user, required_roles) and not user.totp_enrolled


def pending_secret(sealed: str | None, box: totp.SecretBox) -> str:
    """The secret being set up, from its sealed (encrypted) copy kept in the login session, or a
    new one when there is none or it can no longer be read. Nothing is stored in the database
    until the user confirms it with a code, so opening the setup page changes nothing."""
    secret = box.decrypt(sealed) if sealed else None
    return secret or totp.new_secret()


def confirm_enrolment(session: Session, user: User, secret: str, code: str, box: totp.SecretBox,
                      now: float | None = None) -> list[str]:
    """Check a code from the app against the pending ``secret``; on success the user is
    enrolled (the secret stored encrypted) and gets fresh recovery codes (returned once)."""
    from flask_babel import gettext as _

    if user.totp_enrolled:
        raise ValidationFailed([("code", _("Start the setup again: reload this page."))])
    step = totp.matching_step(secret, code, now)
    if step is None or not _use_step(session, user, step):
        raise ValidationFailed([("code", _("This code is not correct. Enter the 6-digit code your app shows now."))])
    user.totp_secret_encrypted = box.encrypt(secret)
    user.totp_enrolled_at = utcnow()
    audit(session, "totp_enrol", obj=user)
    return _replace_recovery_codes(session, user)


def enrol_without_code(session: Session, user: User, box: totp.SecretBox, secret: str | None = None) -> str:
    """Enrol directly (the demo data, tests); returns the secret. Flushes."""
    secret = secret or totp.new_secret()
    user.totp_secret_encrypted = box.encrypt(secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = 0
    _replace_recovery_codes(session, user)
    return secret


def current_secret(user: User, box: totp.SecretBox) -> str | None:
    return box.decrypt(user.totp_secret_encrypted) if user.totp_secret_encrypted else None


def check_code(session: Session, user: User, code: str | None, box: totp.SecretBox,
               now: float | None = None) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is a valid, unused code of the enrolled
    ``user`` (it is used up by this call), else ``None``. Flushes."""
    if not user.totp_enrolled:
        return None
    if totp.looks_like_totp(code):
        secret = current_secret(user, box)
        step = totp.matching_step(secret, code, now) if secret else None
        return "totp" if step is not None and _use_step(session, user, step) else None
    if totp.looks_like_recovery_code(code):
        used = session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == totp.hash_recovery_code(code),
                   RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
        return "recovery" if used.rowcount == 1 else None
    return None


class CodeGuessesLocked(Exception):
    """Too many wrong codes (or passwords) for this account from this address: answer 429."""


def guarded_check(session: Session, user: User, address: str, limits: throttle.Limits, check):
    """Run ``check()`` (a code check) counted in the login throttle like a password check: the
    attempt is recorded and committed first; raises :class:`throttle.AddressThrottled` or
    :class:`CodeGuessesLocked` over the limits. When ``check()`` returns something true (or
    raises nothing) the account's failures from this address are forgotten. Flushes."""
    attempt = throttle.record(session, throttle.account_key(user.email), address, limits.window)
    if not throttle.check(session, attempt, limits):
        raise CodeGuessesLocked()
    result = check()
    if result:
        throttle.succeeded(session, attempt, limits)
    return result


def second_step(session: Session, user: User, code: str | None, box: totp.SecretBox, *, address: str,
                limits: throttle.Limits) -> str | None:
    """The login's second step: what :func:`check_code` returns; throttled like a password
    (a wrong code counts as a failed login). Commits."""
    used = guarded_check(session, user, address, limits, lambda: check_code(session, user, code, box))
    if used:
        user.last_login_at = utcnow()
    if used == "recovery":
        audit(session, "recovery_code_used", obj=user, user=user)
    elif not used:
        audit(session, "login_failed", obj=user, user=user, outcome="failure", detail="wrong code")
    session.commit()
    return used


def _use_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as used, only if it is newer than the last used one (atomic)."""
    result = session.execute(
        update(User).where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def regenerate_recovery_codes(session: Session, user: User, code: str, box: totp.SecretBox,
                              now: float | None = None) -> list[str]:
    """New recovery codes (the old ones stop working) after a current code."""
    _require_code(session, user, code, box, now)
    audit(session, "totp_codes", obj=user)
    return _replace_recovery_codes(session, user)


def disable(session: Session, user: User, code: str, box: totp.SecretBox, required_roles: Iterable,
            now: float | None = None) -> bool:
    """Turn two-factor login off (not for roles that require it) after a current code."""
    from flask_babel import gettext as _

    if is_required(user, required_roles):
        raise ValidationFailed([(None, _("Your role requires two-factor login: it cannot be turned off."))])
    _require_code(session, user, code, box, now)
    _clear(session, user)
    audit(session, "totp_disable", obj=user)
    return True


def admin_reset(session: Session, user: User, admin: User, reason: str) -> None:
    """Remove the enrolment and recovery codes of ``user`` (lost phone) and end their sessions and
    API tokens; who, when and why are recorded on the account."""
    from flask_babel import gettext as _

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _("Give the reason for the reset."))])
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed([("reason", _("Use at most %(n)d characters.", n=REASON_MAX_LENGTH))])
    _clear(session, user)
    user.totp_reset_at = utcnow()
    user.totp_reset_by_id = admin.id
    user.totp_reset_reason = reason
    user.session_token = new_session_token()
    from shelterassess.api.services import revoke_all

    revoke_all(session, user, "totp_reset")  # a lost phone may be a lost laptop too: its tokens end with the sessions
    audit(session, "totp_reset", obj=user, user=admin)
    session.flush()


def _require_code(session: Session, user: User, code: str, box: totp.SecretBox, now: float | None) -> None:
    if check_code(session, user, code, box, now) is None:
        raise ValidationFailed([("code", WRONG_CODE())])


def WRONG_CODE() -> str:  # noqa: N802 (a message)
    from flask_babel import gettext as _

    return _("This code is not correct or was used already. Enter the code your app shows now, "
             "or an unused recovery code.")


def _clear(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.totp_secret_encrypted = None
    user.totp_enrolled_at = None
    user.totp_last_step = 0
    session.flush()


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    session.flush()
    return codes

