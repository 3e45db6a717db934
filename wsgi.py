"""WSGI entry point: ``gunicorn wsgi:app``."""

from meetingsec import create_app

app = create_app()
