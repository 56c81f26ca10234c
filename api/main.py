"""Module-level app for ``uvicorn api.main:app`` (deployment); tests use ``create_app``."""

from api.app import create_app

app = create_app()
