"""Time-based one-time passwords (RFC 6238) and recovery codes: plain Python, no database.

* Secrets: 160 random bits from the OS's CSPRNG (``secrets``), written in base32 as
  authenticator apps expect; 6 digits, 30-second steps, SHA-1 (what every app supports).
* :func:`matching_step` accepts the current step and one step either side (clock drift) and
  returns *which* step matched: the caller stores the last used step per user and refuses a
  step that is not newer, so a code works once.
* Recovery codes: 10 random codes of 10 characters (about 50 bits each), shown once; only
  their SHA-256 is stored (random values of this length need no slow hash).
* Secrets are stored encrypted (:class:`SecretBox`, Fernet = AES-128-CBC + HMAC-SHA256). The
  key is derived with HKDF-SHA256 from ``TOTP_ENCRYPTION_KEY`` when it is set, otherwise from
  ``SECRET_KEY``. **Consequence:** rotating ``SECRET_KEY`` while ``TOTP_ENCRYPTION_KEY`` is
  unset makes every stored secret unreadable: each enrolled user then needs an administrator's
  two-factor reset and enrols again. Set ``TOTP_ENCRYPTION_KEY`` to rotate ``SECRET_KEY`` freely.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Iterable

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DIGITS = 6
PERIOD = 30
WINDOW = 1  # steps accepted either side of the current one
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
_RECOVERY_LENGTH = 10
_HKDF_INFO = b"shelterassess totp secret v1"


def new_secret() -> str:
    """160 random bits in base32 (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def group_secret(secret: str, size: int = 4) -> str:
    """``ABCD EFGH …``: easier to type into an app by hand."""
    return " ".join(secret[i:i + size] for i in range(0, len(secret), size))


def step_at(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // PERIOD)


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).generate_otp(step)


def normalize_code(code: str | None) -> str:
    """What the user typed, without spaces and dashes, lower case."""
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def looks_like_totp(code: str | None) -> bool:
    typed = normalize_code(code)
    return len(typed) == DIGITS and typed.isascii() and typed.isdigit()


def matching_step(secret: str, code: str | None, now: float | None = None, window: int = WINDOW) -> int | None:
    """The time step (current ± ``window``) whose code is ``code``, else ``None``.
    Every candidate is compared in constant time."""
    if not looks_like_totp(code):
        return None
    typed = normalize_code(code)
    current = step_at(now)
    found = None
    for step in range(current - window, current + window + 1):
        if hmac.compare_digest(code_at_step(secret, step), typed) and found is None:
            found = step
    return found


def otpauth_uri(secret: str, account: str, issuer: str = "ShelterAssess") -> str:
    """The ``otpauth://`` link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no script, no external image)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr-code", dark="#000", light="#fff")


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``abcde-fghjk`` style codes; show them once and store only :func:`hash_recovery_code`."""
    codes = []
    while len(codes) < count:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        if code not in codes:
            codes.append(code)
    return codes


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_recovery_code(code: str | None) -> bool:
    typed = normalize_code(code)
    return len(typed) == _RECOVERY_LENGTH and all(ch in _RECOVERY_ALPHABET for ch in typed)


class SecretBox:
    """Encrypts and decrypts TOTP secrets with a key derived from configuration (see the module
    docstring for what rotating ``SECRET_KEY`` means)."""

    def __init__(self, key_material: str | bytes):
        if not key_material:
            raise ValueError("no key material for TOTP secrets")
        raw = key_material.encode() if isinstance(key_material, str) else key_material
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(raw)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def from_config(cls, config) -> "SecretBox":
        return cls(config.get("TOTP_ENCRYPTION_KEY") or config["SECRET_KEY"])

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("ascii")).decode("ascii")

    def decrypt(self, token: str) -> str | None:
        """The secret, or ``None`` when it cannot be read (the key changed)."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            return None


def required_roles(values: Iterable | str | None) -> frozenset[str]:
    """``TOTP_REQUIRED_ROLES`` as role values. The setting may hold :class:`Role` members or
    strings, or be one string as set from the environment (``"national_team,admin"``), never
    read letter by letter. An unknown role raises ``ValueError`` (the app refuses to start:
    a misspelt role must not silently switch two-factor login off)."""
    from shelterassess.auth.roles import Role

    if isinstance(values, str):
        values = [part for part in values.replace(",", " ").split() if part]
    roles = frozenset(str(getattr(v, "value", v)) for v in values or ())
    unknown = roles - {role.value for role in Role}
    if unknown:
        raise ValueError(f"TOTP_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}; "
                         f"use some of: {', '.join(role.value for role in Role)}")
    return roles
