"""Login, sessions, CSRF, headers, language choice and bad input."""
import pytest
from sqlalchemy import select

from shelterassess.assessments.models import Assessment
from shelterassess.extensions import db
from tests.conftest import PASSWORD, login


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_wrong_password_and_unknown_email_look_the_same(client, world):
    a = client.post("/login", data={"email": world.staff_a.email, "password": "wrong password"})
    b = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password"})
    assert a.status_code == b.status_code == 200
    message = "Email or password is not correct"
    assert message in a.get_data(as_text=True) and message in b.get_data(as_text=True)


def test_account_locks_after_repeated_failures(client, world, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": world.staff_a.email, "password": "wrong password"})
    r = client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.status_code == 200  # correct password refused while locked


def test_login_issues_a_new_session_cookie_with_safe_flags(client, world):
    client.get("/login")
    r = login(client, world.staff_a)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "shelterassess_session=" in cookie


def test_password_change_ends_other_sessions(app, client, world):
    other = app.test_client()
    login(other, world.staff_a)
    login(client, world.staff_a)
    r = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "another long passphrase",
                                               "confirm": "another long passphrase"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert other.get("/").status_code == 302  # the other one is logged out


def test_password_change_needs_current_password_and_policy(client, world):
    login(client, world.staff_a)
    r = client.post("/account/password", data={"current_password": "nope", "new_password": "short", "confirm": "short"})
    assert "The current password is not correct." in r.get_data(as_text=True)
    r = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert "Use at least 12 characters." in r.get_data(as_text=True)


def test_logout_is_post_only_and_ends_the_session(client, world):
    login(client, world.staff_a)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(client, world):
    r = client.post("/login?next=//evil.example.org/", data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_missing_csrf_token_is_refused_and_changes_nothing(client, world, csrf_on):
    login_page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in login_page
    r = client.post("/login", data={"email": world.staff_a.email, "password": PASSWORD})
    assert r.status_code == 400 and "The form has expired" in r.get_data(as_text=True)


def test_missing_csrf_on_start_changes_nothing(app, client, world):
    login(client, world.staff_a)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post("/assessments/start", data={"round_id": world.round.id})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert r.status_code == 400
    assert db.session.scalar(select(Assessment)) is None


def test_security_headers_on_pages_and_errors(client, world):
    for path in ("/login", "/does-not-exist"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    login(client, world.staff_a)
    assert client.get("/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/assessments/abc", "/assessments/99999", "/assessments/1/areas/xyz",
                                  "/reports/assessments/abc.pdf", "/rounds/abc/open"])
def test_non_numeric_or_unknown_ids_give_404(client, world, path):
    login(client, world.national)
    assert client.get(path).status_code in (404, 405)


def test_unknown_round_on_start_is_a_clean_4xx(client, world):
    login(client, world.staff_a)
    assert client.post("/assessments/start", data={"round_id": "abc"}).status_code == 400
    assert client.post("/assessments/start", data={"round_id": "99999"}).status_code == 400


def test_first_visit_follows_accept_language(app, world):
    vi = app.test_client()
    vi.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi-VN,vi;q=0.9,en;q=0.5"
    assert '<html lang="vi">' in vi.get("/login").get_data(as_text=True)
    en = app.test_client()
    en.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.8"
    assert '<html lang="en">' in en.get("/login").get_data(as_text=True)


def test_language_choice_is_remembered_per_user(app, client, world):
    login(client, world.staff_a)
    client.post("/language", data={"locale": "vi", "next": "/"})
    db.session.refresh(world.staff_a)
    assert world.staff_a.locale == "vi"
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(other, world.staff_a)
    assert '<html lang="vi">' in other.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"locale": "fr"}).status_code == 400


def test_health_reveals_nothing(client):
    assert client.get("/health").get_json() == {"status": "ok"}


def test_form_sent_after_the_session_ended_goes_to_login_and_back(client, world, csrf_on):
    r = client.post("/assessments/1/areas/1", data={"score-1": "2"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/login?next=/assessments/1/areas/1")
