"""The training needs table (capacity-building actions by skill and province) as CSV and XLSX.

``/training-needs/needs.csv|.xlsx``, with the page's permission: the page's rows exactly (one
per skill with needs, "no skill named" last), one column per province with needs, the total
and how many have a training scheduled; last the totals line. Skill names are neutralised
(:mod:`shelterassess.exports`). Registered on the training needs blueprint (imported at the end
of its views).
"""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from flask_login import current_user, login_required

from shelterassess.auth import permissions as perm
from shelterassess.exports import csv_lines, write_xlsx
from shelterassess.extensions import db
from shelterassess.i18n import localized
from shelterassess.training_needs import domain, queries
from shelterassess.training_needs.views import bp
from shelterassess.web.access import require
from shelterassess.web.downloads import csv_response, xlsx_response


def needs():
    """(table, skills by id, provinces by id): the page's own three queries."""
    skills = queries.all_skills(db.session)
    provinces = queries.provinces(db.session)
    table = domain.needs_table(queries.need_counts(db.session), [s.id for s in skills], [p.id for p in provinces])
    return table, {s.id: s for s in skills}, {p.id: p for p in provinces}


def header(table: domain.NeedsTable, provinces: dict) -> list[str]:
    return [_("Skill"), *(localized(provinces[pid], "name") for pid in table.province_ids), _("Total"),
            _("Training scheduled")]


def rows(table: domain.NeedsTable, skills: dict) -> Iterator[list]:
    for row in table.rows:
        name = localized(skills[row.skill_id], "name") if row.skill_id else _("No skill named")
        yield [name, *row.by_province, row.total, row.answered]
    yield [_("Total"), *table.province_totals, table.total, table.answered]


@bp.route("/needs.csv")
@login_required
def needs_csv():
    require(perm.can_view_training_needs(current_user))
    table, skills, provinces = needs()
    return csv_response(csv_lines(header(table, provinces), rows(table, skills)), "training-needs.csv")


@bp.route("/needs.xlsx")
@login_required
def needs_xlsx():
    require(perm.can_view_training_needs(current_user))
    table, skills, provinces = needs()
    return xlsx_response(lambda handle: write_xlsx(handle, _("Training needs"), header(table, provinces),
                                                   rows(table, skills)), "training-needs.xlsx")
