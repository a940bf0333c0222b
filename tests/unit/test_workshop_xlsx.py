"""Workbook cells for the workshop pack: formula-looking text neutralised, valid sheet titles."""
import pytest

from shelterassess.auth.permissions import can_view_workshop_pack
from shelterassess.workshop.xlsx import safe_text, sheet_title


@pytest.mark.parametrize("value", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_starting_like_a_formula_gets_an_apostrophe(value):
    assert safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Hà Nội", "– (undefined)", "F-01", "1 = 1", ""])
def test_other_text_is_left_alone(value):
    assert safe_text(value) == value


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    long = "Bài học từ thư viện tình huống điển hình: một tiêu đề dài"
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) == len(second) == 31 and first != second
    assert sheet_title("a/b: [c]*?", taken) == "a b   c"


class _User:
    is_authenticated = True
    facility_id = None

    def __init__(self, role):
        self.role = role


@pytest.mark.parametrize("role, allowed", [("national_team", True), ("admin", False), ("facility_manager", False),
                                           ("facility_staff", False)])
def test_only_the_national_team_sees_the_pack(role, allowed):
    assert can_view_workshop_pack(_User(role)) is allowed


def test_undefined_figures_are_right_aligned_dashes_and_bold_rows_stay_bold():
    """The dash style is set once per sheet and copied: every "–" cell is right-aligned, the
    bold total row's dashes are bold, and no other cell picks up either style."""
    from openpyxl import Workbook

    from shelterassess.workshop.xlsx import DASH, Num, add_sheet

    wb = Workbook()
    rows = [["A", Num(None), Num(3)], ["B", Num(None), Num(None)], ["Total", Num(None), Num(4)]]
    ws = add_sheet(wb, "T", ["name", "x", "y"], rows, bold_rows=1)
    dashes = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == DASH]
    assert len(dashes) == 4
    assert all(c.alignment.horizontal == "right" for c in dashes)
    assert [c.font.bold for c in dashes] == [False, False, False, True]
    assert ws["C2"].alignment.horizontal is None and not ws["C2"].font.bold
    assert ws["A4"].font.bold and ws["A4"].alignment.horizontal is None
