"""The national team's audit page: search and filter the trail (GET only; nothing here changes it)."""
from __future__ import annotations


from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from shelterassess.audit import labels, queries
from shelterassess.audit.forms import AuditFilterForm
from shelterassess.auth import permissions as perm
from shelterassess.auth.forms import ROLE_LABELS
from shelterassess.extensions import db
from shelterassess.exports import csv_lines
from shelterassess.web.access import require
from shelterassess.web.downloads import csv_response
from shelterassess.web.params import bounded_int

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.add_app_template_global(labels, "audit_labels")

#: The CSV export holds at most this many rows (the newest); narrow the filters for older ones.
EXPORT_LIMIT = 10_000
CSV_COLUMNS = ("occurred_at_utc", "user_id", "user_email", "role", "facility_id", "action", "object_type", "object_id",
               "object_facility_id", "detail", "endpoint", "remote_address", "outcome")
#: The query-string parameters of the filters (kept in the page links and the CSV link).
FILTER_NAMES = ("since", "until", "email", "facility", "action", "outcome", "object_type")


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.fill_choices(queries.facilities(db.session))
    if request.args:
        form.validate()
    return form


@bp.route("/")
@login_required
def index():
    require(perm.can_view_audit(current_user))
    form = _filter_form()
    filters = form.to_filter()
    number = min(max(request.args.get("page", 1, type=bounded_int), 1), queries.MAX_PAGE)
    page = queries.page(db.session, filters, number)
    ids = {i for e in page.rows for i in (e.facility_id, e.object_facility_id) if i is not None}
    args = {name: request.args[name] for name in FILTER_NAMES if request.args.get(name)}
    return render_template("audit/index.html", form=form, page=page, args=args,
                           filtered=filters != queries.AuditFilter(),
                           codes=queries.facility_codes(db.session, ids), export_limit=EXPORT_LIMIT,
                           role_labels=ROLE_LABELS)


@bp.route("/events.csv")
@login_required
def export_csv():
    require(perm.can_view_audit(current_user))
    rows = queries.all_rows(db.session, _filter_form().to_filter(), EXPORT_LIMIT)
    values = ((e.occurred_at.isoformat(timespec="seconds"), e.user_id, e.user_email, e.role, e.facility_id, e.action,
               e.object_type, e.object_id, e.object_facility_id, e.detail, e.endpoint, e.remote_address, e.outcome)
              for e in rows)
    return csv_response(csv_lines(CSV_COLUMNS, values), "audit-events.csv")
