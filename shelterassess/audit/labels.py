"""Translated names of the audit trail's verbs, outcomes and object types (the rows keep codes)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "password_change": _l("Changed password"),
    "account_activated": _l("Activated account"),
    "totp_enrol": _l("Turned on two-factor login"),
    "totp_disable": _l("Turned off two-factor login"),
    "totp_codes": _l("Made new recovery codes"),
    "totp_reset": _l("Reset two-factor login"),
    "recovery_code_used": _l("Logged in with a recovery code"),
    "denied": _l("Access refused"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "submit": _l("Submitted"),
    "reopen": _l("Reopened"),
    "release": _l("Released"),
    "unrelease": _l("Release withdrawn"),
    "approve": _l("Approved"),
    "accept": _l("Accepted"),
    "return": _l("Returned"),
    "share": _l("Shared"),
    "publish": _l("Published"),
    "open": _l("Opened"),
    "close": _l("Closed"),
    "acknowledge": _l("Acknowledged"),
    "withdraw": _l("Withdrawn"),
    "revoke": _l("Revoked"),
    "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"),
    "role_change": _l("Role changed"),
    "export": _l("Exported a file"),
    "pdf": _l("Downloaded a PDF"),
}

OUTCOME_LABELS = {
    "success": _l("Success"),
    "failure": _l("Failure"),
    "denied": _l("Refused"),
}

OBJECT_LABELS = {
    "user": _l("User account"),
    "recovery_code": _l("Recovery codes"),
    "activation_token": _l("Activation link"),
    "api_token": _l("API token"),
    "paper_entry": _l("Paper sheet entry"),
    "paper_resolution": _l("Paper sheet resolution"),
    "facility": _l("Facility"),
    "country": _l("Countries and provinces"),
    "round": _l("Round"),
    "score_sheet_version": _l("Score sheet"),
    "assessment": _l("Assessment"),
    "peer_team": _l("Peer team"),
    "team_assignment": _l("Team assignment"),
    "training_session": _l("Training"),
    "certification": _l("Certification"),
    "calibration_attempt": _l("Calibration attempt"),
    "improvement_plan": _l("Improvement plan"),
    "plan_action": _l("Plan action"),
    "follow_up_visit": _l("Follow-up visit"),
    "funding_round": _l("Funding round"),
    "escalation": _l("Escalation"),
    "local_practice": _l("Local practice"),
    "skill": _l("Skill"),
    "training_session_action": _l("Training needs answered"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def outcome_label(code: str) -> str:
    return str(OUTCOME_LABELS.get(code, code))


def object_label(code: str) -> str:
    return str(OBJECT_LABELS.get(code, code)) if code else ""
