"""The bench's PostgreSQL databases: one per scale, named ``bench_f<facilities>_r<rounds>``,
created with ``flask init-db`` and filled with ``flask seed-scale`` (subprocesses, with
``SHELTERASSESS_DATABASE_URL`` set), both scales loading at the same time.

A database is reused by the next run when its seed parameters match: ``bench_meta`` records
the facilities, rounds and seed, and a fingerprint of the seeding code (``shelterassess/cli/``)
and of the migrations, so a change to either reseeds. ``--fresh`` always reseeds; ``--drop``
drops the databases when the run ends.
"""
from __future__ import annotations

import hashlib
import os
import subprocess  # nosec B404 # runs the app's own flask CLI from the venv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
SEED = 2027


@dataclass(frozen=True)
class Scale:
    facilities: int
    rounds: int

    @property
    def name(self) -> str:
        return f"bench_f{self.facilities}_r{self.rounds}"

    @property
    def label(self) -> str:
        return f"{self.facilities:,} × {self.rounds}"


def server_url() -> str:
    return os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER).rstrip("/")


def database_url(scale: Scale) -> str:
    return f"{server_url()}/{scale.name}"


def fingerprint() -> str:
    """What decides the seeded rows: the CLI package (seed-scale and its helpers) and the migrations."""
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "shelterassess" / "cli").glob("*.py"), *(ROOT / "migrations").rglob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _admin():
    return psycopg.connect(f"{server_url()}/postgres", autocommit=True)


def _meta(scale: Scale) -> dict[str, str] | None:
    try:
        with psycopg.connect(database_url(scale)) as conn:
            rows = conn.execute("SELECT key, value FROM bench_meta").fetchall()
    except psycopg.Error:
        return None
    return dict(rows)


def wanted_meta(scale: Scale) -> dict[str, str]:
    return {"facilities": str(scale.facilities), "rounds": str(scale.rounds), "seed": str(SEED),
            "fingerprint": fingerprint()}


def is_ready(scale: Scale) -> bool:
    return _meta(scale) == wanted_meta(scale)


def drop(scale: Scale) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scale.name}" WITH (FORCE)')  # nosec B608 # our own name


def _flask(scale: Scale, *args: str, log) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELTERASSESS_")}
    env["SHELTERASSESS_DATABASE_URL"] = database_url(scale)
    return subprocess.Popen([FLASK, "--app", "shelterassess", *args], cwd=ROOT, env=env,  # nosec B603
                            stdout=log, stderr=subprocess.STDOUT)


def _mark(scale: Scale) -> None:
    with psycopg.connect(database_url(scale)) as conn:
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        for key, value in wanted_meta(scale).items():
            conn.execute("INSERT INTO bench_meta VALUES (%s, %s)", (key, value))


def prepare(scales: list[Scale], log_dir: Path, fresh: bool = False, echo=print) -> dict[str, float]:
    """Make every scale's database ready (reused, or created and seeded in parallel); returns
    the seconds each load took (0 for a reused one) and, under ``"wall"``, the step's wall time."""
    begun = time.perf_counter()
    todo = [s for s in scales if fresh or not is_ready(s)]
    timings = {s.name: 0.0 for s in scales if s not in todo}
    for scale in scales:
        if scale not in todo:
            echo(f"  {scale.name}: reused (same seed parameters)")
    steps: dict[Scale, list[tuple[str, ...]]] = {}
    for scale in todo:
        drop(scale)
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{scale.name}"')  # nosec B608 # our own name
        steps[scale] = [("init-db",), ("seed-scale", "--facilities", str(scale.facilities),
                                       "--rounds", str(scale.rounds), "--seed", str(SEED))]
    started = {s: time.perf_counter() for s in todo}
    running: dict[Scale, tuple[subprocess.Popen, object]] = {}
    try:
        while steps or running:
            for scale in list(steps):
                if scale not in running:
                    log = (log_dir / f"seed-{scale.name}.log").open("a")
                    running[scale] = (_flask(scale, *steps[scale].pop(0), log=log), log)
                    if not steps[scale]:
                        del steps[scale]
            for scale, (process, log) in list(running.items()):
                if process.poll() is None:
                    continue
                log.close()
                del running[scale]
                if process.returncode != 0:
                    raise RuntimeError(f"seeding {scale.name} failed; see {log_dir / f'seed-{scale.name}.log'}")
                if scale not in steps:
                    _mark(scale)
                    timings[scale.name] = time.perf_counter() - started[scale]
                    echo(f"  {scale.name}: seeded in {timings[scale.name]:.0f} s")
            time.sleep(0.5)
    finally:
        for process, log in running.values():
            process.terminate()
            process.wait()
            log.close()
    timings["wall"] = time.perf_counter() - begun
    return timings
