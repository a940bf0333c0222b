"""Entry point for gunicorn (``gunicorn wsgi:app``): always a production start, so a missing or
placeholder SHELTERASSESS_SECRET_KEY stops it (see README, Production)."""
from shelterassess import create_app

app = create_app({"ENV": "production"})
