"""The improvement plan PDF, read back with pypdf: Vietnamese text with its diacritics, the
actions with indicators, owners, dates and costs, the totals per category in the language's
grouping, the signature blocks; an ASCII file name."""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale

from shelterassess.extensions import db
from shelterassess.plans import action_services, report_data, services
from shelterassess.reports.renderers.plan import PlanRenderer
from tests import plan_fixtures as plf
from tests.conftest import login
from tests.reports.test_views import pdf_text

VIETNAMESE = "Tập huấn nhân viên về lưu trữ hồ sơ mã hóa và khóa tủ"


def _plan(world):
    """Facility A's accepted plan; costs 1 000 000 (B1, other), 2 000 000 (A1, facilities), 3 000 000 (B2, other)."""
    plan = plf.complete_plan(world)
    action = plan.actions[0]
    action_services.save_action(db.session, world.manager_b, action, plf.action_input(
        action, description=VIETNAMESE, responsible_name="Chị Nguyễn Thị Hoa", due_on=dt.date(2027, 9, 30)))
    services.share(db.session, world.manager_b, plan)
    services.accept(db.session, world.manager_a, plan)
    db.session.commit()
    return plan


def test_vietnamese_pdf(client, world):
    plan = _plan(world)
    login(client, world.manager_a)
    response = client.get(f"/plans/{plan.id}.pdf?lang=vi")
    assert response.headers["Content-Disposition"] == (
        f"inline; filename=improvement-plan-SH-A-round{world.round.id}-vi.pdf")
    text = pdf_text(response)
    assert VIETNAMESE in text
    assert "Chị Nguyễn Thị Hoa" in text
    assert "Nhà tạm lánh A" in text                      # the facility's name
    assert "Hồ sơ được mã hóa, không ghi tên" in text    # B1 in Vietnamese, with its agreed score
    assert "1.000.000 ₫" in text and "2.000.000 ₫" in text and "4.000.000 ₫" in text  # other: 1 + 3 million
    assert "6.000.000 ₫" in text                        # the total
    assert "30 thg 9, 2027" in text or "30/09/2027" in text or "30 tháng 9, 2027" in text


def test_english_pdf(client, world):
    plan = _plan(world)
    login(client, world.manager_b)
    text = pdf_text(client.get(f"/plans/{plan.id}.pdf?lang=en"))
    assert "Improvement plan" in text and "Funding request" in text
    assert "Files carry a code, not a name (0, red flag)" in text
    assert "₫4,000,000" in text and "₫2,000,000" in text and "₫6,000,000" in text
    assert "Capacity building" in text and "Facilities improvement" in text and "Other needs" in text
    assert "For the facility: the facility manager" in text and "For the peer team: the team lead" in text
    assert "manager.b (Team 1)" in text
    assert "Sep 30, 2027" in text


def test_dropped_and_overdue_actions_are_marked(app_ctx, world):
    plan = plf.complete_plan(world)
    action_services.drop_action(db.session, world.manager_b, plan.actions[2], "Paid by the province")
    plan.actions[1].due_on = dt.date(2027, 1, 1)
    db.session.commit()
    with force_locale("en"):
        data = report_data.plan_report(db.session, plan, "en", dt.date(2027, 3, 1))
        pdf = PlanRenderer().render(data)
    assert [(a.number, a.dropped, a.overdue) for a in data.actions] == [
        (1, False, False), (2, False, True), (3, True, False)]
    assert data.total == "₫3,000,000"  # the dropped action's 3 000 000 left out
    assert pdf.startswith(b"%PDF")
