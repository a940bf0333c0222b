"""The national workshop pack of a round: a page listing what it contains, and the pack as a PDF
and as an XLSX workbook, named or anonymised, in Vietnamese or English (``?lang=``).

Read only: these views never change data (no commit).
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import force_locale, to_user_timezone
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.comparisons import display
from shelterassess.db import utcnow
from shelterassess.extensions import db
from shelterassess.i18n import current_language, supported_locales
from shelterassess.reports.renderers.workshop import WorkshopRenderer
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require
from shelterassess.workshop import labels
from shelterassess.workshop.report_data import WorkshopPack, workshop_pack
from shelterassess.workshop.xlsx import XLSX_MIMETYPE, workbook_bytes

bp = Blueprint("workshop", __name__, url_prefix="/workshop")


@bp.context_processor
def _formats():
    return {"fmt_vnd": labels.money, "fmt_kappa": display.format_kappa, "sections": labels.sections}


def _language() -> str:
    """``?lang=vi|en`` when given and supported, else the user's language."""
    lang = request.args.get("lang")
    return lang if lang in supported_locales() else current_language()


def _anonymised() -> bool:
    return request.args.get("anonymised") == "1"


def _pack(round_: Round, anonymised: bool, language: str) -> WorkshopPack:
    return workshop_pack(db.session, round_, anonymised, language, current_app.config["KAPPA_MIN_PAIRS"],
                         to_user_timezone(utcnow()).date())


def _round(round_id: int) -> Round:
    require(perm.can_view_workshop_pack(current_user))
    return get_or_404(Round, round_id)


def _filename(round_: Round, anonymised: bool, language: str, extension: str) -> str:
    return f"workshop-pack-round{round_.id}{'-anonymised' if anonymised else ''}-{language}.{extension}"


@bp.route("/rounds/<int:round_id>")
@login_required
def pack(round_id: int):
    round_ = _round(round_id)
    data = _pack(round_, False, current_language())  # the page shows counts only: the same either way
    return render_template("workshop/pack.html", round=round_, data=data, languages=supported_locales())


@bp.route("/rounds/<int:round_id>/pack.pdf")
@login_required
def pack_pdf(round_id: int):
    round_, anonymised, language = _round(round_id), _anonymised(), _language()
    with force_locale(language):
        pdf = WorkshopRenderer().render(_pack(round_, anonymised, language))
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=_filename(round_, anonymised, language, "pdf"))


@bp.route("/rounds/<int:round_id>/pack.xlsx")
@login_required
def pack_xlsx(round_id: int):
    round_, anonymised, language = _round(round_id), _anonymised(), _language()
    with force_locale(language):
        content = workbook_bytes(_pack(round_, anonymised, language))
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=_filename(round_, anonymised, language, "xlsx"))
