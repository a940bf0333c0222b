"""Running wrk and reading its report.

:func:`parse_wrk` turns wrk's text output (with ``--latency``) into a :class:`WrkResult`:
requests per second, mean and percentile latencies, the responses that were neither 2xx nor
3xx, socket errors, and any ``BENCH key=value`` lines a Lua script printed in ``done()``
(the area-save script counts saves and conflicts that way).
"""
from __future__ import annotations

import re
import shutil
import subprocess  # nosec B404 # runs wrk, a fixed local program
from dataclasses import dataclass, field
from pathlib import Path

WRK = "wrk"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


class WrkOutputError(ValueError):
    """wrk's output did not hold the figures expected (wrk failed, or its format changed)."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    requests_per_s: float
    latency_avg_ms: float
    latency_ms: dict[int, float]  # percentile -> ms (50, 75, 90, 99)
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Responses that are neither 2xx nor 3xx, plus socket errors (connect, read, write, timeout)."""
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    @property
    def mean_time_ms(self) -> float:
        return self.latency_avg_ms


def duration_ms(text: str) -> float:
    """``"10.52ms"``, ``"812.00us"``, ``"1.02s"``, ``"1.50m"`` in milliseconds."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(us|ms|s|m|h)\s*", text)
    if not match:
        raise WrkOutputError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text: str) -> WrkResult:
    """The figures of one wrk run (``wrk ... --latency``)."""
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in ([0-9.]+\w+),", text, re.M)
    latency = re.search(r"^\s*Latency\s+([0-9.]+\w+)\s", text, re.M)
    if not (rps and total and latency):
        raise WrkOutputError("wrk printed no result:\n" + text[-2000:])
    percentiles = {int(p): duration_ms(v) for p, v in re.findall(r"^\s*(\d+)%\s+([0-9.]+\w+)\s*$", text, re.M)}
    non = re.search(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", text, re.M)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()))) if sock else {}
    extra = dict(re.findall(r"^BENCH (\w+)=(\S*)\s*$", text, re.M))
    return WrkResult(requests=int(total.group(1)), duration_s=duration_ms(total.group(2)) / 1000,
                     requests_per_s=float(rps.group(1)), latency_avg_ms=duration_ms(latency.group(1)),
                     latency_ms=percentiles, non_2xx_3xx=int(non.group(1)) if non else 0,
                     socket_errors=socket_errors, extra=extra)


def available() -> bool:
    return shutil.which(WRK) is not None


def run(url: str, *, duration: int, connections: int, threads: int = 2, cookie: str | None = None,
        script: Path | None = None, timeout_s: int = 60) -> WrkResult:
    """One wrk run against ``url`` (``-t threads -c connections -d duration s --latency``)."""
    threads = max(1, min(threads, connections))
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", f"--timeout={timeout_s}s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout_s + 30,  # nosec B603
                          check=False)
    if done.returncode != 0:
        raise WrkOutputError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


#: Lua for the area saves: every request saves the next (assessment, area) pair of this
#: thread's share, with the versions that pair's scores have after the previous saves of
#: this run (each save changes every answer, so each score's version goes up by exactly one).
#: A 302 is a save; a 200 holding the page's conflict note is a conflict (someone saved the
#: same answers in between); another 200 is a refused form; anything else is an error (wrk).
SAVE_SCRIPT = r"""
local pairs_all = dofile("%(data)s")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mine = {}
  for i, p in ipairs(pairs_all) do
    if (i - 1) %% %(threads)d == tid then table.insert(mine, p) end
  end
  cursor, visits, saved, conflicts, refused, other = 0, {}, 0, 0, 0, 0
end

function request()
  cursor = cursor %% #mine + 1
  local p = mine[cursor]
  local k = visits[cursor] or 0
  visits[cursor] = k + 1
  local parts = {"csrf_token=" .. p.csrf, "next=stay"}
  for _, ind in ipairs(p.indicators) do
    local value = ind.first
    if k %% 2 == 1 then value = 3 - ind.first end
    table.insert(parts, "score-" .. ind.id .. "=" .. value)
    table.insert(parts, "note-" .. ind.id .. "=")
    table.insert(parts, "version-" .. ind.id .. "=" .. (ind.version + k))
  end
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = p.cookie}
  return wrk.format("POST", p.path, headers, table.concat(parts, "&"))
end

function response(status, headers, body)
  if status == 302 then saved = saved + 1
  elseif status == 200 and string.find(body, 'class="warning-note"', 1, true) then conflicts = conflicts + 1
  elseif status == 200 then refused = refused + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local totals = {saved = 0, conflicts = 0, refused = 0, other = 0}
  for _, t in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + (t:get(key) or 0) end
  end
  for key, value in pairs(totals) do io.write("BENCH " .. key .. "=" .. value .. "\n") end
end
"""

#: Lua for the bare insert endpoint: the same method and a small form body.
INSERT_SCRIPT = r"""
wrk.method = "POST"
wrk.body = "value=2&note="
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def lua_literal(value) -> str:
    """A Python value (dict, list, str, int, bool) as a Lua table literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_literal(str(k))}] = {lua_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def save_script(directory: Path, pairs: list[dict], threads: int = 2) -> Path:
    """Write the area-save Lua script and its data file into ``directory``; returns the script
    (for a wrk run with ``threads`` threads: each takes every ``threads``-th pair)."""
    if len(pairs) < threads:
        raise ValueError("fewer areas to save than wrk threads")
    data = directory / "save_pairs.lua"
    data.write_text("return " + lua_literal(pairs) + "\n", encoding="utf-8")
    script = directory / "save.lua"
    script.write_text(SAVE_SCRIPT % {"data": str(data), "threads": threads}, encoding="utf-8")
    return script


def insert_script(directory: Path) -> Path:
    script = directory / "insert.lua"
    script.write_text(INSERT_SCRIPT, encoding="utf-8")
    return script
