"""Issue 11: the pure two-factor rules (RFC 6238 codes, the ±1 step window, recovery codes,
encryption of the secret) with a fixed clock."""
from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from shelterassess.auth import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # a fixed clock, mid-step
STEP = int(NOW // 30)


def code(offset_steps: int) -> str:
    return pyotp.TOTP(SECRET).at(NOW + 30 * offset_steps)


def test_rfc6238_sha1_vector():
    """RFC 6238 appendix B, time 59 s, SHA-1 key "12345678901234567890": 94287082 (8 digits)."""
    key = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at_step(key, 59 // 30) == "287082"  # the last 6 digits


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_either_side_is_accepted_and_named(offset):
    assert totp.matching_step(SECRET, code(offset), NOW) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_two_steps_away_is_refused(offset):
    assert code(offset) not in {code(-1), code(0), code(1)}  # the vector is meaningful
    assert totp.matching_step(SECRET, code(offset), NOW) is None


@pytest.mark.parametrize("typed", ["", None, "12345", "1234567", "abcdef", "１２３４５６", "12 34 5"])
def test_malformed_codes_are_refused(typed):
    assert totp.matching_step(SECRET, typed, NOW) is None


def test_spaces_in_a_code_are_ignored():
    c = code(0)
    assert totp.matching_step(SECRET, f" {c[:3]} {c[3:]} ", NOW) == STEP


def test_secrets_are_random_base32_of_160_bits():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for s in secrets:
        assert len(base64.b32decode(s)) == 20
    assert totp.group_secret("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_otpauth_uri_names_issuer_account_and_secret():
    uri = totp.otpauth_uri(SECRET, "lan@example.org")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET] and query["issuer"] == ["ShelterAssess"]
    assert "lan%40example.org" in parts.path
    svg = totp.qr_svg(uri, "QR")
    assert svg.startswith("<svg") and "<script" not in svg and "<title>QR</title>" in svg


def test_recovery_codes_are_distinct_and_hashed_after_normalising():
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    for c in codes:
        assert totp.looks_like_recovery_code(c) and not totp.looks_like_totp(c)
    first = codes[0]
    assert totp.hash_recovery_code(first) == totp.hash_recovery_code(first.upper().replace("-", " "))
    assert first not in totp.hash_recovery_code(first) and len(totp.hash_recovery_code(first)) == 64
    assert not totp.looks_like_recovery_code("0000-11111")  # 0 and 1 are not in the alphabet


def test_secret_box_encrypts_and_a_different_key_cannot_read():
    box = totp.SecretBox("the secret key of the app")
    token = box.encrypt(SECRET)
    assert SECRET not in token and box.decrypt(token) == SECRET
    assert box.encrypt(SECRET) != token  # a fresh IV each time
    assert totp.SecretBox("another key").decrypt(token) is None  # rotated SECRET_KEY: unreadable, no crash
    assert totp.SecretBox("x").decrypt("not a token") is None


def test_secret_box_prefers_the_dedicated_key():
    token = totp.SecretBox.from_config({"SECRET_KEY": "a", "TOTP_ENCRYPTION_KEY": "b"}).encrypt(SECRET)
    assert totp.SecretBox.from_config({"SECRET_KEY": "rotated", "TOTP_ENCRYPTION_KEY": "b"}).decrypt(token) == SECRET
    assert totp.SecretBox.from_config({"SECRET_KEY": "b", "TOTP_ENCRYPTION_KEY": None}).decrypt(token) == SECRET


def test_required_roles_accept_enum_members_and_values():
    from shelterassess.auth.roles import Role

    assert totp.required_roles((Role.ADMIN, "national_team")) == {"admin", "national_team"}
    assert totp.required_roles(()) == frozenset()


def test_required_roles_from_the_environment_are_split_not_read_letter_by_letter():
    assert totp.required_roles("admin") == {"admin"}
    assert totp.required_roles("national_team, admin") == {"national_team", "admin"}
    assert totp.required_roles(["admin"]) == {"admin"} and totp.required_roles(()) == frozenset()


def test_an_unknown_required_role_stops_the_start(tmp_path, monkeypatch):
    from shelterassess import create_app

    monkeypatch.setenv("SHELTERASSESS_TOTP_REQUIRED_ROLES", "admn")
    with pytest.raises(ValueError, match="unknown roles: admn"):
        create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite"), "SECRET_KEY": "k"})
    monkeypatch.setenv("SHELTERASSESS_TOTP_REQUIRED_ROLES", "admin,national_team")
    app = create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "y.sqlite"), "SECRET_KEY": "k"})
    assert app.config["TOTP_REQUIRED_ROLES"] == ("admin", "national_team")
