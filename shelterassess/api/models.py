"""Personal API tokens: a user's credential for ``/api/v1``, created and revoked on the account page.

Only the token's SHA-256 is stored (``token_hash``); the token itself is shown once, when it is
made. A token acts as its user, and only while the user keeps the role and facility the token was
made under (``role``, ``facility_id``): :func:`shelterassess.api.services.find_usable_token`
refuses it otherwise, even if a code path changed the account without revoking it. Rows are never
deleted: revoked and expired tokens stay listed (and audited) with the reason.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shelterassess.auth.models import User
from shelterassess.db import Base, created_at, intpk

#: Why a token stopped working (``revoked_reason``): shown on the account page.
REVOKE_REASONS = ("revoked", "password_change", "deactivated", "role_change", "activation", "totp_reset")


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (
        Index("ix_api_token_user_id_revoked_at", "user_id", "revoked_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: The owner's label ("ODK sync laptop"), 1–100 characters.
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the whole token; looked up on every API request.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters ("sa_Xy3k"), so the owner can tell tokens apart; never enough to use.
    hint: Mapped[str] = mapped_column(String(16))
    #: The user's role and facility when the token was made: the token works only while they are unchanged.
    role: Mapped[str] = mapped_column(String(32))
    facility_id: Mapped[Optional[int]] = mapped_column(ForeignKey("facility.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    expires_at: Mapped[Optional[dt.datetime]]
    last_used_at: Mapped[Optional[dt.datetime]]
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_reason: Mapped[Optional[str]] = mapped_column(String(32))

    user: Mapped[User] = relationship(lazy="joined")
