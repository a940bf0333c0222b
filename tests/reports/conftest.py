"""Fixtures shared by the PDF renderer tests."""
import flask
import pytest
from flask_babel import Babel


@pytest.fixture
def babel_ctx():
    """An app context with Babel (English) for renderers called without the application."""
    app = flask.Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app
