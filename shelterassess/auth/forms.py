from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from shelterassess.auth.roles import Role
from shelterassess.web.forms import BaseForm
from shelterassess.web.validators import no_control_characters

ROLE_LABELS = {
    Role.FACILITY_STAFF.value: _l("Facility staff"),
    Role.FACILITY_MANAGER.value: _l("Facility manager"),
    Role.NATIONAL_TEAM.value: _l("National team"),
    Role.ADMIN.value: _l("Administrator"),
}


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class CreateUserForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=200)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), no_control_characters])
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), validators=[DataRequired()])
    #: Choices (facility id as text, "" for none) are set by the view.
    facility = SelectField(_l("Facility"), coerce=str,
                           description=_l("Facility staff and managers belong to one facility; "
                                          "the national team and administrators to none."))


class CodeForm(BaseForm):
    """The one field of a two-factor check: a 6-digit code from the app, or a recovery code."""

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=64)])


class ResetTwoFactorForm(BaseForm):
    reason = TextAreaField(_l("Reason for the reset"), validators=[DataRequired(), Length(max=500)])
