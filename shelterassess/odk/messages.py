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
        "old_form": lambda: _("The file has no assessment_kind column: it was collected with an older version of "
                              "the form, which does not say whether a row is the self-assessment or a peer team's "
                              "visit. Download the form again, upload it to ODK Central or KoboToolbox and collect "
                              "with it."),
        "no_kind": lambda: _("Row %(row)d does not say whether it is the self-assessment or a peer team's visit: it "
                             "was collected with an older version of the form. Download the form again and collect "
                             "with it.", row=problem.row),
        "other_kind": lambda: (_("Row %(row)d is the facility's self-assessment, not this peer team's visit.",
                                 row=problem.row) if p["found"] == "self" else
                               _("Row %(row)d is a peer team's visit, not the facility's self-assessment.",
                                 row=problem.row)),
        "other_team": lambda: _("Row %(row)d is another peer team's visit (team code %(found)s), not this team's.",
                                row=problem.row, found=p["found"]),
        "several": lambda: _("Rows %(rows)s are all for this facility and round. Keep only the submission to import "
                             "(filter or delete the others in the export) and upload it again.", rows=p["rows"]),
        "na_not_allowed": lambda: _("Row %(row)d, %(code)s: N/A is not allowed for this indicator.",
                                    row=problem.row, code=p["code"]),
        "bad_score": lambda: _("Row %(row)d, %(code)s: \"%(value)s\" is not a score (0, 1, 2, 3 or na).",
                               row=problem.row, code=p["code"], value=p["value"]),
        "bad_evidence": lambda: _("Row %(row)d, %(code)s: unknown evidence source \"%(value)s\".",
                                  row=problem.row, code=p["code"], value=p["value"]),
        "note_control": lambda: _("Row %(row)d, %(code)s: the note holds invisible control characters.",
                                  row=problem.row, code=p["code"]),
        "note_too_long": lambda: _("Row %(row)d, %(code)s: the note is longer than %(n)d characters.",
                                   row=problem.row, code=p["code"], n=p["n"]),
    }
    return texts[problem.kind]()
