"""BaseForm.submit_to: validate, run one service, commit once; on ValidationFailed roll back
and put the messages on the form."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired

from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.facilities.models import Country
from shelterassess.web.forms import BaseForm, Committed


class CountryForm(BaseForm):
    code = StringField("Code", validators=[DataRequired()])


def _add_country(code: str) -> Country:
    """A service that flushes a row, as services do, and returns it."""
    country = Country(code=code, name_vi=code, name_en=code)
    db.session.add(country)
    db.session.flush()
    return country


def _refuse_after_writing(reasons):
    def action():
        _add_country("XX")
        raise ValidationFailed(reasons)
    return action


def _stored_codes() -> list[str]:
    """What another connection sees: only committed rows."""
    with db.engine.connect() as conn:
        return list(conn.scalars(select(Country.code).order_by(Country.code)))


@pytest.fixture
def post(app_ctx):
    def _post(data):
        return app_ctx.test_request_context("/", method="POST", data=data)
    return _post


def test_success_commits_once_and_returns_the_result(post):
    with post({"code": "VN"}):
        form = CountryForm()
        done = form.submit_to(lambda: _add_country(form.code.data))
        assert isinstance(done, Committed) and done.result.code == "VN" and done.result.id is not None
        assert form.errors == {}
    assert _stored_codes() == ["VN"]


def test_a_service_returning_none_still_counts_as_committed(post):
    with post({"code": "VN"}):
        done = CountryForm().submit_to(lambda: None)
    assert done == Committed(None) and bool(done)


def test_refusal_rolls_back_and_puts_the_message_on_the_field(post):
    with post({"code": "XX"}):
        form = CountryForm()
        assert form.submit_to(_refuse_after_writing([("code", "This code is taken.")])) is None
        assert form.code.errors == ["This code is taken."]
        assert form.code.data == "XX"  # the user's input is kept for the re-render
        assert form.form_errors == []
        assert db.session.scalars(select(Country)).all() == []
    assert _stored_codes() == []


def test_refusal_without_a_matching_field_goes_to_form_errors(post):
    with post({"code": "XX"}):
        form = CountryForm()
        reasons = [(None, "The round is closed."), ("no_such_field", "Not shown on a field.")]
        assert form.submit_to(_refuse_after_writing(reasons)) is None
        assert form.form_errors == ["The round is closed.", "Not shown on a field."]
        assert form.code.errors == []
    assert _stored_codes() == []


def test_refusal_keeps_what_was_committed_before(post):
    with post({"code": "VN"}):
        CountryForm().submit_to(lambda: _add_country("VN"))
    with post({"code": "XX"}):
        assert CountryForm().submit_to(_refuse_after_writing([("code", "No.")])) is None
    assert _stored_codes() == ["VN"]


def test_an_invalid_form_does_not_call_the_action(post):
    calls = []
    with post({"code": ""}):
        form = CountryForm()
        assert form.submit_to(lambda: calls.append("called")) is None
        assert form.code.errors  # the validator's own message
    assert calls == []


def test_a_get_does_not_call_the_action(app_ctx):
    calls = []
    with app_ctx.test_request_context("/?code=VN", method="GET"):
        assert CountryForm().submit_to(lambda: calls.append("called")) is None
    assert calls == []


def test_other_errors_are_not_caught(post):
    def boom():
        raise RuntimeError("not a validation failure")

    with post({"code": "VN"}), pytest.raises(RuntimeError):
        CountryForm().submit_to(boom)


def test_commit_or_flash_commits_and_returns_the_result(post):
    from shelterassess.web.forms import commit_or_flash

    with post({}):
        done = commit_or_flash(lambda: _add_country("VN"))
    assert done and done.result.code == "VN"
    assert _stored_codes() == ["VN"]


def test_commit_or_flash_rolls_back_and_flashes_every_message(post):
    from flask import get_flashed_messages

    from shelterassess.web.forms import commit_or_flash

    with post({}):
        done = commit_or_flash(_refuse_after_writing([(None, "First problem."), ("code", "Second problem.")]))
        assert done is None
        assert get_flashed_messages(with_categories=True) == [("error", "First problem."), ("error", "Second problem.")]
    assert _stored_codes() == []
