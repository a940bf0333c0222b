"""Recording audit events.

Changes are gathered per transaction in a :class:`Pending` buffer kept in ``session.info``:
the flush listener (:mod:`shelterassess.audit.listeners`) adds what the ORM changes, views add
explicit events (login, logout, …) with :func:`record`. Just before the transaction commits, the
buffer becomes :class:`AuditEvent` rows, flushed in that same transaction: they commit or roll
back with the change. Changes to one object and its parts (an assessment and its scores, a plan
and its actions) make one row, so a request that changes one thing writes one row.

Events that must be kept although the request changed nothing (a 403, a download) are written
in their own short transaction by :func:`record_now`, which never raises.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from shelterassess.audit.models import AuditEvent

INFO_KEY = "audit_pending"
DETAIL_MAX = 500
_UNSET: Any = object()
_counter = itertools.count()
_EMAIL = re.compile(r"^[^@\s]{1,100}@[^@\s]{1,100}\.[^@\s]{1,50}$")

#: Verbs, in the order of precedence when one transaction implies several for one object.
ACTIONS = (
    "login", "login_failed", "logout", "password_change", "account_activated", "denied",
    "create", "delete", "submit", "reopen", "release", "unrelease", "approve", "accept", "return", "share",
    "publish", "open", "close", "acknowledge", "withdraw", "revoke", "deactivate", "reactivate", "role_change",
    "update", "export", "pdf",
)
_RANK = {name: i for i, name in enumerate(ACTIONS)}
OUTCOMES = ("success", "failure", "denied")


@dataclass
class Entry:
    """What one transaction did to one object (with its parts), or one explicit event."""

    action: str | None = None
    explicit: bool = False
    obj: Any = None
    object_type: str = ""
    object_id: int | None = None
    object_facility_id: int | None = None
    changes: list[str] = field(default_factory=list)  # the object's own changed columns (names; status values)
    parts: dict[str, list] = field(default_factory=dict)  # part type -> [count, set of columns, set of kinds]
    detail: str = ""
    outcome: str = "success"
    actor: Any = _UNSET
    email: str | None = None

    def propose(self, action: str) -> None:
        if self.explicit:
            return
        if self.action is None or _RANK.get(action, 99) < _RANK.get(self.action, 99):
            self.action = action

    def add_changes(self, names: list[str]) -> None:
        for name in names:
            if name not in self.changes:
                self.changes.append(name)

    def add_part(self, part_type: str, kind: str, columns: list[str]) -> None:
        count, cols, kinds = self.parts.setdefault(part_type, [0, set(), set()])
        self.parts[part_type][0] = count + 1
        cols.update(columns)
        kinds.add(kind)

    def merge(self, other: "Entry") -> None:
        if self.obj is None and other.obj is not None:
            self.obj, self.object_type = other.obj, other.object_type
        if not self.object_type:
            self.object_type, self.object_id = other.object_type, other.object_id
        if other.explicit and not self.explicit:
            self.action, self.explicit = other.action, True
            self.detail, self.outcome, self.actor, self.email = other.detail, other.outcome, other.actor, other.email
        elif other.action:
            self.propose(other.action)
        self.add_changes(other.changes)
        for part_type, (count, cols, kinds) in other.parts.items():
            mine = self.parts.setdefault(part_type, [0, set(), set()])
            mine[0] += count
            mine[1].update(cols)
            mine[2].update(kinds)
        self.object_facility_id = self.object_facility_id or other.object_facility_id


class Pending:
    """The entries of the current transaction, keyed by object."""

    def __init__(self) -> None:
        self.entries: dict[Any, Entry] = {}

    def entry_for(self, key: Any) -> Entry:
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = Entry()
        return entry


def pending(session: Session) -> Pending:
    buffer = session.info.get(INFO_KEY)
    if buffer is None:
        buffer = session.info[INFO_KEY] = Pending()
    return buffer


def discard(session: Session) -> None:
    session.info.pop(INFO_KEY, None)


def object_key(obj: Any) -> Any:
    """(table name, id) for a stored object; the object's identity while it has no id yet."""
    state = inspect(obj)
    if state.identity is not None:
        return (obj.__table__.name, state.identity[0])
    return ("new", id(obj))


def record(session: Session, action: str, *, obj: Any = None, object_type: str = "", object_id: int | None = None,
           object_facility_id: int | None = None, detail: str = "", outcome: str = "success", user: Any = _UNSET,
           email: str | None = None) -> None:
    """Add an explicit event to the current transaction (written when it commits).

    ``user`` is the actor (default: the logged-in user of the request; ``None``: nobody known);
    ``email`` the e-mail to keep when there is no user (a failed login with an unknown address:
    kept only when it looks like an e-mail address, so a password typed there is never stored).
    """
    entry = Entry(action=action, explicit=True, detail=detail, outcome=outcome, actor=user)
    if email is not None:
        email = email.strip().lower()
        entry.email = email if _EMAIL.match(email) else ""
    if obj is not None:
        entry.obj, entry.object_type = obj, obj.__table__.name
        entry.object_facility_id = object_facility_id if object_facility_id is not None \
            else inspect(obj).dict.get("facility_id")
        pending(session).entry_for(object_key(obj)).merge(entry)
        return
    entry.object_type, entry.object_id, entry.object_facility_id = object_type, object_id, object_facility_id
    pending(session).entries[("explicit", next(_counter))] = entry


def record_now(session: Session, action: str, **kwargs: Any) -> None:
    """:func:`record` in a transaction of its own, committed at once. The session's pending work
    is rolled back first (a 403 or a download changes nothing). Never raises: when the database
    is unreachable the event is logged instead."""
    try:
        session.rollback()
        record(session, action, **kwargs)
        session.commit()
    except Exception:  # noqa: BLE001 (an audit failure must not turn a 403 into a 500)
        current_app.logger.exception("Could not write the audit event %s", action)
        try:
            session.rollback()
        except Exception:  # noqa: BLE001  # nosec B110 # the connection is gone: nothing to roll back
            pass


def flush_pending(session: Session) -> None:
    """Turn the transaction's entries into rows (called just before the commit)."""
    buffer = session.info.pop(INFO_KEY, None)
    if buffer is None or not buffer.entries:
        return
    context = _request_context()
    merged: dict[Any, Entry] = {}
    for key, entry in buffer.entries.items():
        if entry.obj is not None:
            state = inspect(entry.obj)
            if state.identity is None or (state.transient or state.pending):
                if not entry.explicit:
                    continue  # created in a savepoint that was rolled back
            else:
                key = (entry.obj.__table__.name, state.identity[0])
                entry.object_id = state.identity[0]
                if entry.object_facility_id is None:
                    entry.object_facility_id = state.dict.get("facility_id")
        if key in merged:
            merged[key].merge(entry)
        else:
            merged[key] = entry
    for entry in merged.values():
        if entry.action:
            session.add(_row(entry, context))


def _row(entry: Entry, context: dict[str, str]) -> AuditEvent:
    actor = _actor(entry.actor)
    email = actor["email"] if actor["user_id"] is not None else (entry.email or "")
    return AuditEvent(action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
                      object_facility_id=entry.object_facility_id, detail=_detail(entry), outcome=entry.outcome,
                      user_id=actor["user_id"], user_email=email, role=actor["role"],
                      facility_id=actor["facility_id"], **context)


def _detail(entry: Entry) -> str:
    pieces = []
    if entry.detail:
        pieces.append(entry.detail)
    if entry.changes:
        pieces.append(", ".join(entry.changes))
    for part_type in sorted(entry.parts):
        count, cols, kinds = entry.parts[part_type]
        text = f"{part_type} ×{count} {'/'.join(sorted(kinds))}"
        if cols:
            text += ": " + ", ".join(sorted(cols))
        pieces.append(text)
    return clean("; ".join(pieces), DETAIL_MAX)


def clean(value: str, limit: int) -> str:
    """Control characters and line breaks encoded (checklist 26), cut to ``limit`` characters."""
    value = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _request_context() -> dict[str, str]:
    if not has_request_context():
        return {"endpoint": "", "remote_address": ""}
    return {"endpoint": clean(request.endpoint or "", 100),
            "remote_address": clean(request.remote_addr or "", 64)}


def _actor(user: Any) -> dict[str, Any]:
    """The actor's id, e-mail, role and facility, read from what is loaded (no query while committing)."""
    if user is _UNSET:
        user = g.get("_login_user") if has_request_context() else None
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "email": "", "role": "", "facility_id": None}
    state = inspect(user)
    values = state.dict
    if state.identity is None:
        return {"user_id": None, "email": "", "role": "", "facility_id": None}
    if not {"email", "role", "facility_id"} <= values.keys():
        values = {"email": user.email, "role": user.role, "facility_id": user.facility_id}
    return {"user_id": state.identity[0], "email": values["email"] or "", "role": values["role"] or "",
            "facility_id": values["facility_id"]}


# -- requests that changed nothing: denials and downloads ---------------------------------------

def view_arg_ids() -> tuple[str, int | None, str]:
    """(object type, id, detail) from the route's ``…_id`` arguments: ``assessment_id=5`` -> ("assessment", 5)."""
    if not has_request_context() or not request.view_args:
        return "", None, ""
    ids = [(name, value) for name, value in request.view_args.items()
           if name.endswith("_id") and isinstance(value, int)]
    if not ids:
        return "", None, ""
    name, value = ids[0]
    return name[:-3][:40], value, " ".join(f"{n}={v}" for n, v in ids)


def record_denied(session: Session) -> None:
    object_type, object_id, ids = view_arg_ids()
    record_now(session, "denied", object_type=object_type, object_id=object_id, outcome="denied",
               detail=clean(f"{request.method} {ids}".strip(), DETAIL_MAX))


DOWNLOAD_TYPES = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


#: Query parameters that say what an export holds (its filters, and whether names were left out),
#: kept in the download's audit row; never free text.
EXPORT_PARAMETERS = ("kind", "round", "status", "province", "anonymised", "sort", "order")


def export_parameters() -> str:
    """``name=value`` of the :data:`EXPORT_PARAMETERS` the request carries (values bounded)."""
    values = [(name, request.args.get(name, "")) for name in EXPORT_PARAMETERS]
    return " ".join(f"{name}={value[:20]}" for name, value in values if value)


def record_download(session: Session, response) -> None:
    """A PDF, CSV or spreadsheet was sent (or any attachment), whole or in part (206: a Range
    request): who downloaded what, with the filters that chose its rows (:data:`EXPORT_PARAMETERS`)."""
    if response.status_code not in (200, 206):
        return
    kind = DOWNLOAD_TYPES.get(response.mimetype)
    if kind is None and not response.headers.get("Content-Disposition", "").startswith("attachment"):
        return
    object_type, object_id, ids = view_arg_ids()
    record_now(session, "pdf" if kind == "pdf" else "export", object_type=object_type, object_id=object_id,
               detail=clean(f"{kind or 'file'} {ids} {export_parameters()}".strip(), DETAIL_MAX))


# -- accounts: called by the auth views ---------------------------------------------------------

def login_succeeded(session: Session, user: Any) -> None:
    """The session starts (after the second step, for two-factor users). Commits."""
    record(session, "login", obj=user, user=user)
    session.commit()


def login_failed(session: Session, email: str, detail: str = "") -> None:
    """A refused login (wrong password, unknown or locked account, too many attempts): kept with
    the account's id when the e-mail is known. Commits (the throttle's attempt is committed already)."""
    from shelterassess.auth.services import find_user_by_email

    user = find_user_by_email(session, email or "")
    record(session, "login_failed", obj=user, user=user, email=email or "", outcome="failure",
           detail=detail or ("" if user is not None else "unknown account"))
    session.commit()


def account_event(session: Session, action: str, user: Any, outcome: str = "success", detail: str = "") -> Any:
    """Record ``action`` on the user's own account in the current transaction; returns ``user``."""
    record(session, action, obj=user, user=user, outcome=outcome, detail=detail)
    return user
