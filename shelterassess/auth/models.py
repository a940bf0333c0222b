"""Accounts and one-time activation tokens."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.roles import Role
from shelterassess.db import Base, created_at, intpk, str200

if TYPE_CHECKING:
    from shelterassess.facilities.models import Facility


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[intpk]
    email: Mapped[str200] = mapped_column(unique=True)
    display_name: Mapped[str200]
    role: Mapped[str] = mapped_column(String(32))
    facility_id: Mapped[Optional[int]] = mapped_column(ForeignKey("facility.id"), index=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    #: Part of the login cookie; rotating it ends every session of the user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]
    #: Two-factor login (see :mod:`shelterassess.auth.totp`): the Fernet-encrypted base32 secret,
    #: set when enrolment starts; the user is enrolled once ``totp_enrolled_at`` is set.
    totp_secret_encrypted: Mapped[Optional[str]] = mapped_column(String(255))
    totp_enrolled_at: Mapped[Optional[dt.datetime]]
    #: The last time step whose code was accepted: a code is refused unless its step is newer
    #: (conditional UPDATE, so two parallel requests with one code cannot both pass).
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: The last administrator reset of the two-factor login (shown on the admin's user page).
    totp_reset_at: Mapped[Optional[dt.datetime]]
    totp_reset_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    totp_reset_reason: Mapped[Optional[str]] = mapped_column(String(500))

    facility: Mapped[Optional["Facility"]] = relationship(lazy="joined")
    totp_reset_by: Mapped[Optional["User"]] = relationship(remote_side="User.id", foreign_keys=[totp_reset_by_id])

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_enrolled_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and self.password_hash is not None

    def get_id(self) -> str:  # Flask-Login: id and session token together
        return f"{self.id}:{self.session_token}"


class ActivationToken(Base):
    """A one-time link to set a password; only the token's SHA-256 is stored."""

    __tablename__ = "activation_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One password check (login, or the current password on the password-change page).

    A row is written and committed *before* the password is checked, and the rows are then
    counted, so parallel requests cannot slip past the limits (no read-modify-write in
    Python). A successful check deletes the rows of its account from its address. Rows older
    than the lock window are pruned. ``account_key`` is the SHA-256 of the normalised email,
    so unknown emails are counted the same way and no typed text is stored.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account_key_created_at", "account_key", "created_at"),
        Index("ix_login_attempt_address_created_at", "address", "created_at"),
    )

    id: Mapped[intpk]
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]


class RecoveryCode(Base):
    """One single-use recovery code of a two-factor login; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[created_at]
