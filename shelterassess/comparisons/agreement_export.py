"""The national page's rater agreement per indicator (self vs peer) as CSV and XLSX.

``/comparisons/rounds/<id>/agreement.csv|.xlsx``, with the national page's permission and its
``province`` and ``anonymised`` parameters (the same pairs as the page: anonymised, small
provinces are one group). Columns: indicator code, indicator text, exact agreement (%), within
one point (%), weighted kappa (two decimals, half-up; empty when the page shows "–"), why the
kappa is not shown, pairs compared, pairs excluded as N/A; last the "all indicators" line.
No facility appears. Registered on the comparisons blueprint (imported at the end of its views).
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.assessments.domain import round_half_up_decimal
from shelterassess.auth import permissions as perm
from shelterassess.comparisons.display import kappa_note
from shelterassess.comparisons.domain import Agreement
from shelterassess.comparisons.national_data import NationalParams, NationalSummary, national_summary
from shelterassess.comparisons.views import _national_params, bp
from shelterassess.exports import csv_lines, write_xlsx
from shelterassess.extensions import db
from shelterassess.i18n import current_language
from shelterassess.rounds.models import Round
from shelterassess.web.access import get_or_404, require
from shelterassess.web.downloads import csv_response, xlsx_response


def header() -> list[str]:
    return [_("Indicator code"), _("Indicator"), _("Exact agreement (%)"), _("Within one point (%)"),
            _("Weighted kappa"), _("Kappa note"), _("Pairs compared"), _("Excluded as N/A")]


def _figures(a: Agreement) -> list:
    def pct(value: float | None) -> Decimal | None:
        return None if value is None else round_half_up_decimal(value, 1)

    kappa = None if a.kappa is None else round_half_up_decimal(a.kappa, 2)
    return [pct(a.exact_pct), pct(a.within_one_pct), kappa, kappa_note(a), a.n, a.na_excluded]


def rows(summary: NationalSummary) -> Iterator[list]:
    for line in summary.indicators:
        yield [line.code, line.text, *_figures(line.agreement)]
    yield ["", _("All indicators"), *_figures(summary.overall_agreement)]


def summary(round_id: int, params: NationalParams) -> NationalSummary:
    """The page's agreement figures; only one table row is read (the agreement covers every facility)."""
    from flask import current_app

    round_ = get_or_404(Round, round_id)
    return national_summary(db.session, round_, params, current_language(),
                            kappa_min_pairs=current_app.config["KAPPA_MIN_PAIRS"], page_number=1, page_size=1)


def _name(round_id: int, params: NationalParams, extension: str) -> str:
    return f"agreement-round{round_id}{'-anonymised' if params.anonymised else ''}.{extension}"


@bp.route("/rounds/<int:round_id>/agreement.csv")
@login_required
def agreement_csv(round_id: int):
    require(perm.can_view_national_comparison(current_user))
    params = _national_params()
    data = summary(round_id, params)
    return csv_response(csv_lines(header(), rows(data)), _name(round_id, params, "csv"))


@bp.route("/rounds/<int:round_id>/agreement.xlsx")
@login_required
def agreement_xlsx(round_id: int):
    require(perm.can_view_national_comparison(current_user))
    params = _national_params()
    data = summary(round_id, params)
    return xlsx_response(lambda handle: write_xlsx(handle, _("Agreement"), header(), rows(data)),
                         _name(round_id, params, "xlsx"))
