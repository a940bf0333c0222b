from tests.conftest import PASSWORD


def log_in(page, base, user, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


def log_out(page):
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/login")


def answer_area(page, area, value_for):
    """Click the radio for each indicator (value_for(indicator) -> '0'..'3' or 'na')."""
    for ind in area.indicators:
        page.check(f"input[name='score-{ind.id}'][value='{value_for(ind)}']")
        if ind.evidence_list:
            page.check(f"input[name='evidence-{ind.id}'][value='{ind.evidence_list[0]}']")


def switch_user(page, base, user, password=PASSWORD):
    """Log the current user out (if anyone is logged in) and log ``user`` in."""
    if page.locator("form[action='/logout'] button").count():
        log_out(page)
    log_in(page, base, user, password)


def status_of(page, url) -> int:
    """The HTTP status the browser gets when it opens ``url`` (it stays on that page)."""
    response = page.goto(url)
    return response.status
