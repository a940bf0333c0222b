"""Counting password checks in the database, so that parallel requests cannot pass the limits.

Every check (a login, or the current password on the password-change page) first writes a
:class:`LoginAttempt` row and commits it, then counts the rows in the window. The count a
request sees always includes its own row and every row committed before it, so at most
``LOGIN_MAX_FAILURES`` checks of one account from one address are ever verified in a window,
however many arrive at once. Limits (all within ``LOGIN_LOCK_MINUTES``):

* one account from one client address: ``LOGIN_MAX_FAILURES`` (locked; same answer as a
  wrong password, so nobody learns the account exists);
* one client address, all accounts: ``LOGIN_ADDRESS_MAX_FAILURES`` (HTTP 429);
* one account from all addresses: ``LOGIN_ACCOUNT_MAX_FAILURES``, higher than the
  per-address limit, so that one address alone can never lock anybody out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shelterassess.auth.models import LoginAttempt
from shelterassess.db import utcnow


@dataclass(frozen=True)
class Limits:
    per_account_and_address: int
    per_address: int
    per_account: int
    window: dt.timedelta

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config["LOGIN_MAX_FAILURES"], config["LOGIN_ADDRESS_MAX_FAILURES"],
                   config["LOGIN_ACCOUNT_MAX_FAILURES"], dt.timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))


class AddressThrottled(Exception):
    """Too many failed password checks from this client address: answer 429."""


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def record(session: Session, key: str, address: str, window: dt.timedelta | None = None) -> LoginAttempt:
    """Write one attempt and commit it, so that concurrent requests count it. Now and then
    (one call in 20) rows older than ``window`` are pruned, so failures alone cannot grow the table."""
    attempt = LoginAttempt(account_key=key, address=(address or "unknown")[:64])
    session.add(attempt)
    if window is not None and secrets.randbelow(20) == 0:
        session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= utcnow() - window))
    session.commit()
    return attempt


def check(session: Session, attempt: LoginAttempt, limits: Limits) -> bool:
    """After :func:`record`: raise :class:`AddressThrottled` when the address is over its limit;
    ``False`` when the account is locked (for this address or overall); ``True`` when the
    password may be checked."""
    since = utcnow() - limits.window
    recent = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.created_at > since)
    if session.scalar(recent.where(LoginAttempt.address == attempt.address)) > limits.per_address:
        raise AddressThrottled()
    pair = session.scalar(recent.where(LoginAttempt.address == attempt.address,
                                       LoginAttempt.account_key == attempt.account_key))
    if pair > limits.per_account_and_address:
        return False
    return session.scalar(recent.where(LoginAttempt.account_key == attempt.account_key)) <= limits.per_account


def succeeded(session: Session, attempt: LoginAttempt, limits: Limits) -> None:
    """The password was right: forget this account's failures from this address, and prune
    rows older than the window. Flushes; the caller commits."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.account_key == attempt.account_key,
                                               LoginAttempt.address == attempt.address))
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= utcnow() - limits.window))


def is_locked(session: Session, key: str, limits: Limits) -> bool:
    """Whether the account is locked for everybody (the user list shows it)."""
    since = utcnow() - limits.window
    count = session.scalar(select(func.count()).select_from(LoginAttempt)
                           .where(LoginAttempt.account_key == key, LoginAttempt.created_at > since))
    return count > limits.per_account
