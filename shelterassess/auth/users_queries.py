"""Read queries of the user administration list: one page of users, and which of them are locked.

The lock status of the page's accounts is read in one grouped statement (not one count per
user), so the list runs the same number of statements however many users it shows.
"""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shelterassess.auth import throttle
from shelterassess.auth.models import LoginAttempt, User
from shelterassess.db import utcnow


def users_query() -> Select:
    """Every account, by email (unique, indexed), with its facility joined (``User.facility`` is eager)."""
    return select(User).order_by(User.email, User.id)


def locked_keys(session: Session, keys: list[str], limits: throttle.Limits) -> set[str]:
    """The account keys among ``keys`` that are locked for everybody (as :func:`throttle.is_locked`)."""
    if not keys:
        return set()
    since = utcnow() - limits.window
    rows = session.execute(
        select(LoginAttempt.account_key).where(LoginAttempt.account_key.in_(keys), LoginAttempt.created_at > since)
        .group_by(LoginAttempt.account_key).having(func.count() > limits.per_account))
    return set(rows.scalars())
