"""Form base class: runs a service in one transaction and puts its errors back onto fields."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.web.identifying import Finding, find_identifying_details

T = TypeVar("T")


@dataclass(frozen=True)
class Committed(Generic[T]):
    """What :meth:`BaseForm.submit_to` returns when the work was committed. ``result`` is
    what the action returned, which may be ``None``: the object itself is always true."""

    result: T


def commit_or_flash(action: Callable[[], T]) -> Committed[T] | None:
    """Run ``action`` (one service call behind a button, with no fields to show errors on)
    and commit once. On :class:`ValidationFailed` roll back, flash each message as an
    error and return ``None``; otherwise return ``Committed(result)``."""
    from flask import flash

    try:
        result = action()
    except ValidationFailed as failure:
        db.session.rollback()
        for _field, message in failure.reasons:
            flash(message, "error")
        return None
    db.session.commit()
    return Committed(result)


def commit_or_refuse_stale(action: Callable[[], T], stale_message: Callable[[], str]) -> Committed[T] | None:
    """:func:`commit_or_flash`, and a save that lost to a parallel one (StaleData from a service's
    version check, or SQLAlchemy's StaleDataError from a version column) is rolled back and
    ``stale_message()`` flashed instead of a 500."""
    from flask import flash
    from sqlalchemy.orm.exc import StaleDataError

    from shelterassess.errors import StaleData

    try:
        return commit_or_flash(action)
    except (StaleData, StaleDataError):
        db.session.rollback()
        flash(stale_message(), "warning")
        return None


#: The checkbox by which the user confirms that a note flagged as identifying identifies no one.
CONFIRM_IDENTIFYING = "confirm_identifying"
#: At most this many details are quoted in a warning, each cut to this many characters.
_QUOTED_DETAILS, _QUOTE_LENGTH = 3, 40


class NoteField(TextAreaField):
    """A free-text note, reason or description. :class:`BaseForm` checks it for details that may
    identify a person (:func:`find_identifying_details`): while some are found and the form's
    ``confirm_identifying`` box is not ticked, the form is invalid and the field says what was found.
    The ``field`` macro (``templates/_macros/forms.html``) then shows the box under the first such note."""

    def __init__(self, *args, _form=None, refused_anyway: Callable[[str], bool] | None = None, **kwargs) -> None:
        """``refused_anyway(text)``: whether the service refuses the text outright for holding
        identifiers (escalations do); then no warning is added, and the service's refusal is shown."""
        super().__init__(*args, _form=_form, **kwargs)
        self._owner = weakref.ref(_form) if _form is not None else None
        self.refused_anyway = refused_anyway

    def _owner_form(self):
        return self._owner() if self._owner is not None else None

    @property
    def shows_identifying_confirm(self) -> bool:
        """Whether the confirmation box belongs under this note (the first flagged one of its form)."""
        form = self._owner_form()
        return form is not None and getattr(form, "identifying_first", None) == self.name

    @property
    def identifying_digest(self) -> str:
        form = self._owner_form()
        return getattr(form, "identifying_digest", "") if form is not None else ""


def identifying_message(findings: list[Finding]) -> str:
    """The warning put on a note: what looked identifying, quoted, and what to do about it."""
    from flask_babel import gettext as _

    labels = {
        "phone": lambda t: _('a phone number ("%(text)s")', text=t),
        "id_number": lambda t: _('an ID or passport number ("%(text)s")', text=t),
        "name": lambda t: _('a person\'s name ("%(text)s")', text=t),
        "birth_date": lambda t: _('a date of birth ("%(text)s")', text=t),
        "email": lambda t: _('an e-mail address ("%(text)s")', text=t),
    }
    quoted = []
    for finding in findings[:_QUOTED_DETAILS]:
        text = " ".join(finding.text.split())
        text = text if len(text) <= _QUOTE_LENGTH else text[:_QUOTE_LENGTH - 1] + "…"
        quoted.append(labels[finding.kind](text))
    if len(findings) > _QUOTED_DETAILS:
        quoted.append(_("%(n)d more", n=len(findings) - _QUOTED_DETAILS))
    return _("This note seems to contain %(details)s. Remove it, or tick the box to confirm it identifies no "
             "resident or client.", details=", ".join(quoted))


def identifying_digest(texts) -> str:
    """A fingerprint of the details flagged in ``texts``: the value of the confirmation box. A tick
    confirms exactly what the warning showed, so a note changed afterwards (a new phone number)
    is flagged again instead of passing on the old tick."""
    import hashlib

    details = sorted(" ".join(f.text.split()).casefold() for text in texts for f in find_identifying_details(text))
    return hashlib.sha256("\x1f".join(details).encode("utf-8")).hexdigest()[:20]


def _posted_confirmation() -> str | None:
    from flask import has_request_context, request

    if has_request_context() and request.method == "POST":
        return request.form.get(CONFIRM_IDENTIFYING)
    return None


class BaseForm(FlaskForm):
    #: After :meth:`validate`: ``{field name: findings}`` of the notes that look identifying, and
    #: whether the user confirmed them (the templates show the confirmation box when not empty).
    identifying: dict[str, list[Finding]] = {}  # noqa: RUF012 (always replaced, never changed in place)
    identifying_confirmed: bool = False
    #: The confirmation box's value for what is flagged now (:func:`identifying_digest`).
    identifying_digest: str = ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.check_identifying() and valid

    def check_identifying(self) -> bool:
        """Flag every :class:`NoteField` whose text looks identifying; False while unconfirmed."""
        self.identifying = {}
        flagged = []
        for field in self:
            if isinstance(field, NoteField) and isinstance(field.data, str) and not (
                    field.refused_anyway and field.refused_anyway(field.data)):
                findings = find_identifying_details(field.data)
                if findings:
                    self.identifying[field.name] = findings
                    flagged.append(field)
        self.identifying_digest = identifying_digest(f.data for f in flagged) if flagged else ""
        self.identifying_confirmed = bool(flagged) and _posted_confirmation() == self.identifying_digest
        if not self.identifying_confirmed:
            for field in flagged:
                field.errors = list(field.errors) + [identifying_message(self.identifying[field.name])]
        return self.identifying_confirmed or not self.identifying

    @property
    def identifying_first(self) -> str | None:
        """The first flagged note's name: the confirmation box is shown under it."""
        return next(iter(getattr(self, "identifying", None) or {}), None)

    def submit_to(self, action: Callable[[], T]) -> Committed[T] | None:
        """Validate a submission, run ``action`` (one service call, usually a lambda over
        the form's data) and commit once.

        Returns ``Committed(result)`` when the work was committed, else ``None``: nothing was
        submitted, the form is invalid (``action`` is not called), or ``action`` raised
        :class:`ValidationFailed`, in which case the session is rolled back, so nothing the
        action flushed is kept, and its messages are put on the form. On ``None`` the view
        re-renders the form with the user's input. Other exceptions propagate untouched::

            if done := form.submit_to(lambda: services.save_thing(db.session, form.to_input())):
                flash(_("Saved."), "success")
                return redirect(url_for(".thing", thing_id=done.result.id))
            return render_template("things/form.html", form=form)
        """
        if not self.validate_on_submit():
            return None
        try:
            result = action()
        except ValidationFailed as failure:
            db.session.rollback()
            self.populate_errors(failure)
            return None
        db.session.commit()
        return Committed(result)

    def submit_or_refuse_stale(self, action: Callable[[], T], stale_message: Callable[[], str]) -> Committed[T] | None:
        """:meth:`submit_to`, and a save that lost to a parallel one is rolled back with
        ``stale_message()`` on the form (what the user typed stays in it)."""
        from sqlalchemy.orm.exc import StaleDataError

        from shelterassess.errors import StaleData

        try:
            return self.submit_to(action)
        except (StaleData, StaleDataError):
            db.session.rollback()
            self.form_errors.append(stale_message())
            return None

    def populate_errors(self, failure: ValidationFailed) -> None:
        for field_name, message in failure.reasons:
            field = getattr(self, field_name, None) if field_name else None
            if field is not None:
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)
