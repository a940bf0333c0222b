"""Text for spreadsheet cells (shelterassess/exports.py): never a formula, never a character the
XLSX format cannot hold."""
import pytest

from shelterassess.exports import XLSX_ILLEGAL, neutralise, spreadsheet_text


@pytest.mark.parametrize("value", ["=1+1", "+84 90", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_starts_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value and spreadsheet_text(value) == "'" + value


@pytest.mark.parametrize("value, expected", [
    ("a\x0bb", "a b"), ("a\x0cb", "a b"), ("\x01\x02", "  "), ("a\x1fb", "a b"),
    ("dòng\nmới\ttab\r", "dòng\nmới\ttab\r"),  # line breaks and tabs are kept
])
def test_characters_xlsx_cannot_hold_become_spaces(value, expected):
    assert spreadsheet_text(value) == expected


def test_the_illegal_set_is_openpyxls():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for code in range(0x20):
        assert bool(XLSX_ILLEGAL.match(chr(code))) == bool(ILLEGAL_CHARACTERS_RE.match(chr(code))), hex(code)


def test_numbers_and_none_pass():
    assert neutralise(-2) == -2 and neutralise(None) is None
