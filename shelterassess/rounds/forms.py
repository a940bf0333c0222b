from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from shelterassess.web.forms import BaseForm
from shelterassess.web.validators import no_control_characters


class RoundForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), no_control_characters],
                       description=_l('For example "2027 national round".'))
    sheet = SelectField(_l("Score sheet version"), coerce=int, validators=[DataRequired()])
