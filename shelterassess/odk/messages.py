"""The words for the :class:`~shelterassess.odk.submissions.Problem` kinds, in the user's language."""
from __future__ import annotations

from flask_babel import gettext as _

from shelterassess.odk.submissions import MAX_ROWS, Problem


def problem_message(problem: Problem) -> str:
    p = problem.params
    texts = {
        "empty": lambda: _("The file is empty."),
        "encoding": lambda: _("The file is not UTF-8 text. Download the CSV or JSON export again from ODK Central "
                              "or KoboToolbox and upload it unchanged."),
        "not_table": lambda: _("The file is not a CSV or JSON export of submissions."),
        "json": lambda: _("The JSON file cannot be read as a list of submissions."),
        "too_large": lambda: _("The file is larger than %(n)d kB. Export only this form's submissions.", n=p["kb"]),
        "too_many_rows": lambda: _("The file holds %(n)d submissions; at most %(max)d can be read. Export only your "
                                   "facility's submissions of this round.", n=p["n"], max=MAX_ROWS),
        "not_our_form": lambda: _("The file has no sheet_version column: it is not an export of a ShelterAssess "
                                  "score-sheet form. In KoboToolbox, export with XML values and headers."),
        "no_indicator_columns": lambda: _("None of the columns is an indicator of this score sheet. Export with the "
                                          "field names (XML values and headers) as column titles."),
        "other_version": lambda: _("Row %(row)d answers score-sheet version %(found)s, not %(expected)s, which this "
                                   "round uses. Download this round's form and collect with it.",
                                   row=problem.row, found=p["found"], expected=p["expected"]),
        "other_facility": lambda: _("Row %(row)d is for facility %(found)s, not %(expected)s.",
                                    row=problem.row, found=p["found"], expected=p["expected"]),
        "other_round": lambda: _("Row %(row)d is for another assessment round (%(found)s).", row=problem.row,
                                 found=p["found"]),
        "several": lambda: _("Rows %(rows)s are all for this facility and round. Keep only the submission to import "
                             "(filter or delete the others in the export) and upload it again.", rows=p["rows"]),
        "na_not_allowed": lambda: _("Row %(row)d, %(code)s: N/A is not allowed for this indicator.",
                                    row=problem.row, code=p["code"]),
        "bad_score": lambda: _("Row %(row)d, %(code)s: \"%(value)s\" is not a score (0, 1, 2, 3 or na).",
                               row=problem.row, code=p["code"], value=p["value"]),
        "bad_evidence": lambda: _("Row %(row)d, %(code)s: unknown evidence source \"%(value)s\".",
                                  row=problem.row, code=p["code"], value=p["value"]),
        "note_too_long": lambda: _("Row %(row)d, %(code)s: the note is longer than %(n)d characters.",
                                   row=problem.row, code=p["code"], n=p["n"]),
    }
    return texts[problem.kind]()
