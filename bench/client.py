"""Plain HTTP for the bench (urllib, no redirects followed): signing in as a browser does, and
timing single requests (exports, page sizes)."""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

COOKIE_NAME = "shelterassess_session"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D401 - keep the 302 as the answer
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    set_cookie: str | None
    seconds: float


def request(url: str, *, cookie: str | None = None, data: dict | None = None, timeout: float = 600) -> Response:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET")  # nosec B310
    if cookie:
        req.add_header("Cookie", cookie)
    started = time.perf_counter()
    try:
        with _opener.open(req, timeout=timeout) as answer:  # nosec B310 # the bench's own loopback servers
            status, payload, headers = answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:  # 3xx (no redirect followed), 4xx, 5xx
        status, payload, headers = error.code, error.read(), error.headers
    seconds = time.perf_counter() - started
    return Response(status, payload, dict(headers.items()), _session_cookie(headers.get_all("Set-Cookie") or []),
                    seconds)


def _session_cookie(values: list[str]) -> str | None:
    for value in values:
        pair = value.split(";", 1)[0].strip()
        if pair.startswith(COOKIE_NAME + "=") or pair.startswith("__Host-" + COOKIE_NAME + "="):
            return pair
    return None


def csrf_token(html: bytes) -> str:
    match = _CSRF.search(html.decode("utf-8", "replace"))
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


class SignInFailed(RuntimeError):
    pass


def sign_in(base: str, email: str, password: str) -> str:
    """The session cookie (``name=value``) of ``email`` after the login form's POST."""
    page = request(base + "/login")
    token, cookie = csrf_token(page.body), page.set_cookie
    answer = request(base + "/login", cookie=cookie, data={"csrf_token": token, "email": email, "password": password})
    if answer.status != 302 or not answer.set_cookie or "/login" in answer.headers.get("Location", ""):
        raise SignInFailed(f"signing in as {email} gave {answer.status} {answer.headers.get('Location', '')}")
    return answer.set_cookie


def form_session(base: str, cookie: str, path: str) -> tuple[str, str]:
    """The cookie and CSRF token to POST the form at ``path`` with (the first page with a form after
    the login creates the session's CSRF secret, so the cookie it sets is the one to keep)."""
    page = request(base + path, cookie=cookie)
    if page.status != 200:
        raise RuntimeError(f"GET {path} gave {page.status}")
    return page.set_cookie or cookie, csrf_token(page.body)


def timed_get(url: str, cookie: str, repeat: int, budget_s: float,
              timeout: float = 600) -> tuple[list[float], Response | None]:
    """GET ``url`` up to ``repeat`` times (fewer once ``budget_s`` is spent); the times and the last
    answer (``None`` when the first request took longer than ``timeout`` seconds)."""
    times: list[float] = []
    answer = None
    while len(times) < repeat:
        try:
            answer = request(url, cookie=cookie, timeout=timeout)
        except (TimeoutError, OSError):  # socket timeout (urllib wraps some as URLError, an OSError)
            return times, answer
        times.append(answer.seconds)
        if sum(times) > budget_s:
            break
    return times, answer
