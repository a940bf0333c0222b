"""Objects as the API's JSON: plain dicts, exactly the properties :mod:`shelterassess.api.openapi`
declares (each schema forbids others, and the schemathesis test checks every response).

Texts of score sheets are given in both languages (``*_vi``, ``*_en``) instead of the caller's
language: a program stores what it needs. Timestamps are RFC 3339 in UTC.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from shelterassess.assessments.models import Assessment, Score
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Area, Indicator, ScoreSheetVersion
from shelterassess.web.pagination import Page


def timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite keeps no offset; every stored time is UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def page(items: list[dict[str, Any]], page_: Page) -> dict[str, Any]:
    return {"items": items, "page": page_.number, "per_page": page_.size, "total": page_.total, "pages": page_.pages}


def facility(f: Facility, contact_visible: bool) -> dict[str, Any]:
    return {
        "id": f.id, "code": f.code, "name": f.name, "type": f.type, "active": f.active, "capacity": f.capacity,
        "province": {"code": f.province.code, "name_vi": f.province.name_vi, "name_en": f.province.name_en},
        "address": (f.address or "") if contact_visible else None,
        "phone": (f.phone or "") if contact_visible else None,
    }


def round_(r: Round) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "status": r.status, "sheet_id": r.sheet_id,
            "opened_at": timestamp(r.opened_at), "closed_at": timestamp(r.closed_at)}


def sheet_summary(s: ScoreSheetVersion) -> dict[str, Any]:
    return {"id": s.id, "key": s.key, "version": s.version, "status": s.status, "title_vi": s.title_vi,
            "title_en": s.title_en, "published_at": timestamp(s.published_at)}


def indicator(i: Indicator) -> dict[str, Any]:
    return {
        "id": i.id, "code": i.code, "key": i.key, "position": i.position, "text_vi": i.text_vi, "text_en": i.text_en,
        "guidance_vi": i.guidance_vi or "", "guidance_en": i.guidance_en or "", "na_allowed": bool(i.na_allowed),
        "critical": bool(i.critical), "red_flag_at": int(i.red_flag_at or 0), "evidence": i.evidence_list,
        "levels": [{"level": lv.level, "descriptor_vi": lv.descriptor_vi, "descriptor_en": lv.descriptor_en}
                   for lv in i.levels],
    }


def area(a: Area) -> dict[str, Any]:
    return {"id": a.id, "code": a.code, "key": a.key, "position": a.position, "title_vi": a.title_vi,
            "title_en": a.title_en, "indicators": [indicator(i) for i in a.indicators]}


def sheet(s: ScoreSheetVersion) -> dict[str, Any]:
    return {**sheet_summary(s), "description_vi": s.description_vi or "", "description_en": s.description_en or "",
            "areas": [area(a) for a in s.areas]}


def assessment_summary(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.id, "kind": a.kind, "status": a.status, "facility_id": a.facility_id, "round_id": a.round_id,
        "sheet_id": a.round.sheet_id, "submitted_at": timestamp(a.submitted_at),
        "overall_percentage": a.overall_percentage, "red_flag_count": a.red_flag_count,
        "updated_at": timestamp(a.updated_at),
        # the assessing team of a peer assessment (null for self and agreed)
        "team": {"id": a.team.id, "name": a.team.name} if a.team_id is not None and a.team is not None else None,
    }


def score(s: Score) -> dict[str, Any]:
    return {"indicator_id": s.indicator_id, "code": s.indicator.code, "value": s.value,
            "not_applicable": bool(s.not_applicable), "evidence": s.evidence_list, "note": s.note or "",
            "version": s.version, "updated_at": timestamp(s.updated_at)}


def assessment(a: Assessment, scores: dict[int, Score], editable: bool) -> dict[str, Any]:
    """The assessment with one score per indicator (in score-sheet order) and its stored area
    results (kept at submission; empty while it is a draft)."""
    ordered = [scores[i.id] for i in a.round.sheet.indicators if i.id in scores]
    return {
        **assessment_summary(a), "editable": editable,
        "scores": [score(s) for s in ordered],
        "area_results": [{"area_id": r.area_id, "code": r.area.code, "percentage": r.percentage,
                          "applicable": r.applicable, "total": r.total} for r in a.area_results],
    }
