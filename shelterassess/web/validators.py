"""Form validators shared by every module."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from shelterassess.web.params import int_or_none

#: C0 control characters (tab and line breaks included), DEL and C1: never part of a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def no_control_characters(form, field) -> None:
    """Refuse a name holding a control character (a tab, a line break, an invisible code): it
    would show as nothing, and break the charts and PDFs that print the name for everyone."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_("Remove the control characters (tabs, line breaks or invisible characters) "
                                "from this name."))


#: The same without tab and line breaks, which a multi-line text may hold.
CONTROL_CHARACTERS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters_in_text(form, field) -> None:
    """:func:`no_control_characters` for a multi-line text: tabs and line breaks are fine there."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS_IN_TEXT.search(field.data):
        raise ValidationError(_("Remove the invisible control characters from this text."))


def version_number(form, field) -> None:
    """A record's version sent back by the page (hidden): empty, or a number a database can hold.
    Anything else is said at the top of the form, as the field is not shown."""
    if field.data not in (None, "") and int_or_none(str(field.data).strip()) is None:
        message = _("This form does not match the page any more: reload the page and try again.")
        if message not in form.form_errors:
            form.form_errors.append(message)
        raise ValidationError(message)
