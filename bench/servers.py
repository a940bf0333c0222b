"""gunicorn servers for the bench: the application (``wsgi:app``) and the bare app
(``bench.bare_app:app``), started with the same settings on free loopback ports.

Every server started is remembered and stopped by :func:`stop_all` (the bench calls it in a
``finally``, on SIGTERM and at exit), each by its own process group, so Ctrl-C leaves nothing
running.
"""
from __future__ import annotations

import atexit
import os
import secrets
import signal
import socket
import subprocess  # nosec B404 # starts gunicorn from the venv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import client

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
_running: list["Server"] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's master and its workers only
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:  # a worker still busy with a long request (an export) does not wait for it
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=5)
        if self in _running:
            _running.remove(self)


def app_environment(database_url: str) -> dict[str, str]:
    """The application's production settings for the bench. Two-factor login is switched off
    (``TOTP_REQUIRED_ROLES`` empty) so that the national-team account signs in with its password;
    nothing else differs from a production start (docs/deploy.md), except plain HTTP on the
    loopback (no ``HTTPS``, no proxy)."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("SHELTERASSESS_"):
            del env[key]
    env.update(SHELTERASSESS_ENV="production", SHELTERASSESS_SECRET_KEY=secrets.token_hex(32),
               SHELTERASSESS_DATABASE_URL=database_url, SHELTERASSESS_TOTP_REQUIRED_ROLES="")
    return env


def start(name: str, wsgi: str, env: dict[str, str], log_dir: Path, workers: int = 2) -> Server:
    """``gunicorn -w workers`` (sync workers, the default) serving ``wsgi`` on a free port; waits
    until ``/health`` answers."""
    port = free_port()
    log = log_dir / f"{name}.log"
    cmd = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "600",
           "--log-level", "warning", "--chdir", str(ROOT), wsgi]
    with log.open("w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,  # nosec B603
                                   start_new_session=True)
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    _running.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
        try:
            if client.request(server.base + "/health", timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not answer /health within 60 s:\n{log.read_text()[-3000:]}")


def stop_all() -> None:
    for server in list(_running):
        server.stop()


def _on_signal(signum, _frame) -> None:
    stop_all()
    raise SystemExit(128 + signum)


def install_cleanup() -> None:
    """Stop every server at exit, on Ctrl-C (KeyboardInterrupt reaches the ``finally``) and on SIGTERM."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
