"""Several instances on one database (issue 12): two gunicorn processes, each with two workers,
serve the same database. Nothing that must be shared lives in process memory, so a session
started on one instance works on the other, logout on one ends it on both, and wrong passwords
sent to both instances add up to one lockout."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import CHEAP_ARGON2, PASSWORD
from tests.served import Client

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is installed by make setup")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(base + "/login", timeout=10):
                return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@contextmanager
def gunicorn_instance(app, workers: int = 2):
    """A production start (``wsgi.py``) of the app on the test database, in its own process."""
    port = _free_port()
    env = dict(os.environ,
               SHELTERASSESS_SECRET_KEY="several-instances-share-this-secret-key-0123456789",
               SHELTERASSESS_DATABASE_URL=app.config["DATABASE_URL"],
               SHELTERASSESS_WTF_CSRF_ENABLED="false",
               SHELTERASSESS_PASSWORD_HASH_PARAMS=json.dumps(CHEAP_ARGON2),
               SHELTERASSESS_LOGIN_ADDRESS_MAX_FAILURES="1000",
               SHELTERASSESS_TOTP_REQUIRED_ROLES="[]")
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def two_instances(app):
    """Started once for the module; every test brings its own data (``world``)."""
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn_instance(app)) for _ in range(2)]


def _switch_instance(client: Client, base: str) -> Client:
    """The same browser (cookie jar) talking to another instance behind the load balancer."""
    client.base = base
    return client


def test_a_session_started_on_one_instance_works_on_the_other(two_instances, world):
    first, second = two_instances
    browser = Client(first, world.staff_a)
    for _ in range(4):  # several requests, so that both workers of each instance answer some
        assert _switch_instance(browser, second).get("/")[0] == 200
        assert _switch_instance(browser, first).get("/")[0] == 200


def test_logout_on_one_instance_ends_the_session_on_the_other(two_instances, world):
    first, second = two_instances
    browser = Client(first, world.staff_a)
    other_tab = Client(second, world.staff_a)
    assert other_tab.get("/")[0] == 200
    assert browser.post("/logout")[0] == 302
    status, _body = other_tab.get("/")
    assert status == 302  # sent to the login page: the session was revoked in the database


def test_wrong_passwords_on_both_instances_add_up_to_one_lockout(two_instances, world, app):
    first, second = two_instances
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = []
    for attempt in range(limit):
        base = (first, second)[attempt % 2]
        statuses.append(_post_login(base, world.staff_a.email, "wrong password here"))
    assert all(status == 200 for status in statuses), statuses  # the form again, with its message
    # The right password is now refused on both instances: the count lives in the database.
    assert _post_login(first, world.staff_a.email, PASSWORD) == 200
    assert _post_login(second, world.staff_a.email, PASSWORD) == 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post_login(base: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()
    request = urllib.request.Request(base + "/login", data=body, method="POST", headers={"Accept-Language": "en"})
    try:
        with urllib.request.build_opener(_NoRedirect()).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
