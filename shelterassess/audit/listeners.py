"""Session events that audit every create, update and delete of the domain models.

* ``before_flush``: for each new, changed or deleted object, find the object it belongs to (a
  score belongs to its assessment, an allocation line to its funding round, …) from what is
  already in memory (no query), infer the verb from its state columns (status, released_at,
  withdrawn_at, …) and note the changed column *names* in the transaction's buffer.
* ``before_commit``: flush, then turn the buffer into ``audit_event`` rows, flushed by the same
  commit (:func:`shelterassess.audit.services.flush_pending`).
* rollback: the buffer is dropped with the change.
* ``do_orm_execute``: bulk INSERT/UPDATE/DELETE statements (which bypass the flush) are noted by table.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from shelterassess.audit import services

#: Never audited: the audit table itself, throttling counters (their own retention), stored
#: summaries (derived data: :mod:`shelterassess.comparisons.models`).
EXCLUDED_TABLES = frozenset({"audit_event", "login_attempt", "agreement_summary"})

#: A part and the (foreign key, relationship, parent table) it belongs to: its changes go on the parent's row.
PARENTS: dict[str, tuple[str, str | None, str]] = {
    "score": ("assessment_id", None, "assessment"),
    "area_result": ("assessment_id", None, "assessment"),
    "assessment_event": ("assessment_id", None, "assessment"),
    "activation_token": ("user_id", "user", "user"),
    "recovery_code": ("user_id", None, "user"),
    "plan_action": ("plan_id", "plan", "improvement_plan"),
    "plan_event": ("plan_id", None, "improvement_plan"),
    "action_progress_note": ("action_id", "action", "plan_action"),
    "follow_up_action_result": ("visit_id", "visit", "follow_up_visit"),
    "funding_facility": ("funding_round_id", "funding_round", "funding_round"),
    "funding_scenario": ("funding_round_id", None, "funding_round"),
    "funding_event": ("funding_round_id", None, "funding_round"),
    "allocation_line": ("funding_facility_id", "funding_facility", "funding_facility"),
    "escalation_event": ("escalation_id", "escalation", "escalation"),
    "area": ("sheet_id", "sheet", "score_sheet_version"),
    "indicator": ("sheet_id", "sheet", "score_sheet_version"),
    "indicator_level": ("indicator_id", None, "indicator"),
    "team_member": ("team_id", "team", "peer_team"),
    "training_participant": ("training_id", "training", "training_session"),
    "province": ("country_id", "country", "country"),
    "paper_entry": ("assessment_id", None, "assessment"),
    "paper_answer": ("entry_id", None, "paper_entry"),
    "paper_resolution": ("assessment_id", None, "assessment"),
    "paper_resolved_answer": ("resolution_id", None, "paper_resolution"),
}

#: Columns whose change alone is not an event (bookkeeping; login, logout and password changes
#: are recorded explicitly by the auth views).
QUIET_COLUMNS = frozenset({"updated_at", "version", "session_token", "failed_logins", "locked_until",
                           "last_login_at", "password_hash", "totp_last_step"})
#: Columns whose old and new values are shown (short codes from a fixed list, never typed text).
VALUE_COLUMNS = frozenset({"status", "role", "active"})

_STATUS_VERBS = {"submitted": "submit", "approved": "approve", "accepted": "accept", "returned": "return",
                 "shared": "share", "published": "publish", "closed": "close", "reopened": "reopen",
                 "acknowledged": "acknowledge", "open": "open", "draft": "reopen"}
_SET_VERBS = {"released_at": ("release", "unrelease"), "withdrawn_at": ("withdraw", None),
              "revoked_at": ("revoke", None)}


def register(session_target: Any) -> None:
    """Attach the listeners to the application's session (once)."""
    if event.contains(session_target, "before_flush", _before_flush):
        return
    event.listen(session_target, "before_flush", _before_flush)
    event.listen(session_target, "before_commit", _before_commit)
    event.listen(session_target, "after_transaction_end", _after_transaction_end)
    event.listen(session_target, "do_orm_execute", _bulk_statement)


def _before_flush(session: Session, flush_context, instances) -> None:
    new, dirty, deleted = session.new, session.dirty, session.deleted
    if not (new or dirty or deleted):
        return
    buffer = services.pending(session)
    owners = _collection_owners(new, dirty)
    for obj in new:
        _note(session, buffer, owners, obj, "create", [])
    for obj in deleted:
        _note(session, buffer, owners, obj, "delete", [])
    for obj in dirty:
        if obj in deleted or obj in new:
            continue
        changes = _changed_columns(obj)
        if changes:
            _note(session, buffer, owners, obj, "update", changes)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the rows are written when the real transaction commits
    session.flush()
    services.flush_pending(session)


def _after_transaction_end(session: Session, transaction) -> None:
    """The outermost transaction ended (committed: the buffer is empty already; rolled back or
    closed: what it noted is dropped with it)."""
    if transaction.parent is None:
        services.discard(session)


def _bulk_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", "")
    if not name or name in EXCLUDED_TABLES:
        return
    verb = "create" if state.is_insert else "delete" if state.is_delete else "update"
    if verb == "update":
        values = getattr(state.statement, "_values", None) or {}
        names = {getattr(column, "key", str(column)) for column in values}
        if names and names <= QUIET_COLUMNS:
            return  # e.g. the two-factor step counter, moved by a conditional UPDATE at each login
    entry = services.pending(state.session).entry_for(("bulk", name, verb))
    entry.object_type = name[:40]
    entry.propose(verb)


def _changed_columns(obj: Any) -> list[str]:
    """Names of the attributes really changed (values only for :data:`VALUE_COLUMNS`)."""
    state = inspect(obj)
    names = []
    for key in state.committed_state:
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        if key in VALUE_COLUMNS:
            new = (history.added or [None])[0]
            if history.deleted:
                names.append(f"{key}: {_short(history.deleted[0])} → {_short(new)}")
            else:  # the old value was not loaded (it is not read back just for the audit)
                names.append(f"{key} → {_short(new)}")
        else:
            names.append(key)
    return names


def _short(value: Any) -> str:
    return "–" if value is None else str(value)[:32]


def _verb(obj: Any, changes: list[str]) -> str:
    state = inspect(obj)
    best = "update"
    for key in state.committed_state:
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old, new = (history.deleted or [None])[0], (history.added or [None])[0]
        candidate = None
        if key == "status" and isinstance(new, str):
            candidate = _STATUS_VERBS.get(new)
            if new == "open" and old in ("closed", "acknowledged"):
                candidate = "reopen"
        elif key in _SET_VERBS:
            on, off = _SET_VERBS[key]
            candidate = on if old is None and new is not None else off if old is not None and new is None else None
        elif key == "active" and old is not None and new is not None and old != new:
            candidate = "reactivate" if new else "deactivate"
        elif key == "role":
            candidate = "role_change"
        if candidate and services._RANK.get(candidate, 99) < services._RANK.get(best, 99):
            best = candidate
    return best


def _collection_owners(new, dirty) -> dict[int, Any]:
    """Objects just put into a one-to-many collection (``assessment.events.append(…)``) -> their owner."""
    owners: dict[int, Any] = {}
    for parent in (*new, *dirty):
        state = inspect(parent)
        keys = state.dict.keys() if state.key is None else state.committed_state.keys()
        for rel in state.mapper.relationships:
            if rel.key in keys and rel.direction.name == "ONETOMANY" and not rel.viewonly:
                try:
                    added = state.attrs[rel.key].history.added or ()
                except Exception:  # noqa: BLE001 (write-only collections keep no history here)  # nosec B112
                    continue
                for child in added:
                    owners[id(child)] = parent
    return owners


def _note(session: Session, buffer: services.Pending, owners: dict[int, Any], obj: Any, verb: str,
          changes: list[str]) -> None:
    table = getattr(obj, "__table__", None)
    if table is None or table.name in EXCLUDED_TABLES:
        return
    if verb == "update" and all(_column_name(c) in QUIET_COLUMNS for c in changes):
        return
    root, depth = obj, 0
    while root is not None and root.__table__.name in PARENTS and depth < 4:
        parent = _parent(session, owners, root)
        if parent is None:
            break
        if isinstance(parent, tuple):  # only the parent's id is known (not loaded): it is the root
            entry = buffer.entry_for(parent)
            entry.object_type, entry.object_id = parent
            entry.add_part(table.name, verb, changes if verb == "update" else [])
            entry.propose("update")
            return
        root, depth = parent, depth + 1
    entry = buffer.entry_for(services.object_key(root))
    entry.obj, entry.object_type = root, root.__table__.name
    entry.object_facility_id = entry.object_facility_id or inspect(root).dict.get("facility_id")
    if root is obj:
        entry.add_changes(changes)
        entry.propose(_verb(obj, changes) if verb == "update" else verb)
    else:
        entry.add_part(table.name, verb, [_column_name(c) for c in changes])
        entry.propose("update")


def _column_name(change: str) -> str:
    return change.split(":", 1)[0]


def _parent(session: Session, owners: dict[int, Any], obj: Any) -> Any:
    """The object ``obj`` belongs to, from memory only: an owner in this flush, the relationship
    if loaded, the identity map; else (parent table, id); else None."""
    fk, rel, parent_table = PARENTS[obj.__table__.name]
    if id(obj) in owners:
        return owners[id(obj)]
    state = inspect(obj)
    values = state.dict
    if rel is not None and values.get(rel) is not None:
        return values[rel]
    if fk not in values and state.key is not None and fk in state.expired_attributes:
        getattr(obj, fk)  # an expired object (rare: services read what they change): one SELECT to know its owner
    parent_id = values.get(fk)
    if parent_id is None:
        return None
    parent_mapper = _mappers_by_table(inspect(obj).mapper).get(parent_table)
    if parent_mapper is not None:
        loaded = session.identity_map.get(parent_mapper.identity_key_from_primary_key((parent_id,)))
        if loaded is not None:
            return loaded
    return (parent_table, parent_id)


_MAPPERS: dict[str, Any] = {}


def _mappers_by_table(mapper) -> dict[str, Any]:
    if not _MAPPERS:
        _MAPPERS.update({m.local_table.name: m for m in mapper.registry.mappers})
    return _MAPPERS
