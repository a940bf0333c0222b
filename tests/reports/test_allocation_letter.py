"""The allocation letter, read back with pypdf, in Vietnamese and English: the amounts by category
as the facility's page shows them, the actions funded, the reasons, the signature block."""
from __future__ import annotations

from flask_babel import force_locale

from shelterassess.extensions import db
from shelterassess.funding import report_data, services
from shelterassess.reports.renderers.allocation_letter import AllocationLetterRenderer
from tests import funding_fixtures as ff
from tests.conftest import login
from tests.reports.test_views import pdf_text

REASON = "Khóa tập huấn tham vấn do tỉnh chi trả một phần"


def _approved(world):
    fround = ff.proposal(world)
    services.adjust(db.session, world.national, fround, ff.line(world, "SH-A", ff.CB).id, "2.000.000", REASON)
    services.approve(db.session, world.national, fround)
    db.session.commit()
    return fround


def test_the_letter_in_vietnamese(client, world):
    fround = _approved(world)
    login(client, world.manager_a)
    response = client.get(f"/funding/{fround.id}/facilities/{world.facility_a.id}/letter.pdf?lang=vi")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f"inline; filename=allocation-letter-SH-A-funding{fround.id}-vi.pdf")
    text = pdf_text(response)
    for expected in ("Improvement fund 2027", "Nhà tạm lánh A", "2.000.000 ₫", "4.000.000 ₫", "6.000.000 ₫",
                     REASON, "Train staff in counselling", "Repair the bedrooms", "Lock the file cabinets"):
        assert expected in text, expected
    assert "Repaint the hall" not in text  # dropped: not funded


def test_the_letter_in_english_matches_the_page(client, world):
    fround = _approved(world)
    login(client, world.manager_a)
    text = pdf_text(client.get(f"/funding/{fround.id}/facilities/{world.facility_a.id}/letter.pdf?lang=en"))
    page = client.get(f"/funding/{fround.id}/facilities/{world.facility_a.id}").get_data(as_text=True)
    for expected in ("Allocation letter", "₫2,000,000", "₫4,000,000", "₫6,000,000", "Signature",
                     "For the national team", "Received for the facility: the facility manager", REASON,
                     "Need weight 47.50 = (100 − 62.5) + 1 red flag × 10"):
        assert expected in text, expected
        assert expected in page or expected in ("Allocation letter", "Signature", "For the national team",
                                                "Received for the facility: the facility manager"), expected


def test_another_facility_gets_its_own_figures(app_ctx, world):
    fround = _approved(world)
    with force_locale("en"):
        letter = report_data.allocation_letter(db.session, fround, world.facility_b, "en")
        pdf = AllocationLetterRenderer().render(letter)
    assert letter.total_allocated_vnd == 3_000_000 and pdf.startswith(b"%PDF")
