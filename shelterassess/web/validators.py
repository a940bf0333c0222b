"""Form validators shared by every module."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from wtforms.validators import ValidationError

#: C0 control characters (tab and line breaks included), DEL and C1: never part of a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def no_control_characters(form, field) -> None:
    """Refuse a name holding a control character (a tab, a line break, an invisible code): it
    would show as nothing, and break the charts and PDFs that print the name for everyone."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_("Remove the control characters (tabs, line breaks or invisible characters) "
                                "from this name."))
