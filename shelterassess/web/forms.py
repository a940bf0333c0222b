"""Form base class: puts service errors back onto fields."""
from __future__ import annotations

from flask_wtf import FlaskForm

from shelterassess.errors import ValidationFailed


class BaseForm(FlaskForm):
    def populate_errors(self, failure: ValidationFailed) -> None:
        for field_name, message in failure.reasons:
            field = getattr(self, field_name, None) if field_name else None
            if field is not None:
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)
