# semgrep --test data for rule redirect-to-request-value (not imported, not run).
from flask import redirect, request, url_for

from shelterassess.web.redirects import safe_local_path


def open_redirect():
    # ruleid: redirect-to-request-value
    return redirect(request.args.get("next"))


def open_redirect_via_variable():
    target = request.form.get("next") or "/"
    # ruleid: redirect-to-request-value
    return redirect(target)


def open_redirect_referrer():
    # ruleid: redirect-to-request-value
    return redirect(request.referrer or url_for("main.dashboard"))


def checked():
    # ok: redirect-to-request-value
    return redirect(safe_local_path(request.args.get("next")) or url_for("main.dashboard"))


def checked_via_variable():
    target = safe_local_path(request.form.get("next"))
    # ok: redirect-to-request-value
    return redirect(target or url_for("main.dashboard"))


def built_with_url_for():
    # ok: redirect-to-request-value
    return redirect(url_for("auth.login", next=request.path))
