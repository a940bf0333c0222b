"""Issue 11, finding 1: 20 wrong passwords sent at the same instant against a served app (threads,
on SQLite and on PostgreSQL) lock the account after the limit: no more than the limit are ever
checked, and the right password is then refused from that address, while the owner can still
log in from another one (nobody locks an account from one address)."""
from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from shelterassess.auth import services
from tests.conftest import PASSWORD
from tests.served import serving

PARALLEL = 20


@pytest.fixture
def served_behind_proxy(app):
    """The app served in threads behind one (pretend) proxy, so each request names its client."""
    with serving(app, PROXY_COUNT=1) as base:
        yield base


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _login(base: str, email: str, password: str, address: str) -> int:
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()
    request = urllib.request.Request(base + "/login", data=body, method="POST",
                                     headers={"X-Forwarded-For": address, "Accept-Language": "en"})
    try:
        with urllib.request.build_opener(_NoRedirect()).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _CountingHasher:
    """Wraps the argon2 hasher and counts checks against one real password hash."""

    def __init__(self, real, real_hash: str):
        self.real, self.real_hash, self.real_checks = real, real_hash, 0
        self.lock = threading.Lock()

    def verify(self, hash_, password):
        if hash_ == self.real_hash:
            with self.lock:
                self.real_checks += 1
        return self.real.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_twenty_parallel_wrong_logins_lock_the_account(app, world, served_behind_proxy, monkeypatch):
    base, admin = served_behind_proxy, world.admin
    spy = _CountingHasher(services._hasher, admin.password_hash)
    monkeypatch.setattr(services, "_hasher", spy)
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []

    def guess(i: int) -> None:
        start.wait()
        statuses.append(_login(base, admin.email, f"wrong guess number {i}", "203.0.113.50"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(statuses) == [200] * PARALLEL  # all refused, none a 500
    assert spy.real_checks <= app.config["LOGIN_MAX_FAILURES"]  # the limit holds under concurrency
    assert _login(base, admin.email, PASSWORD, "203.0.113.50") == 200  # locked: right password refused
    assert _login(base, admin.email, PASSWORD, "198.51.100.77") == 302  # the owner, elsewhere, gets in
