"""Form base class: runs a service in one transaction and puts its errors back onto fields."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from flask_wtf import FlaskForm

from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db

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


class BaseForm(FlaskForm):
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
