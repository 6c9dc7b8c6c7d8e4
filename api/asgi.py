"""ASGI entry point for process managers: `uvicorn --factory api.asgi:app_from_env --workers N`.

Settings come from the environment; the API connects as authenticator (API_DATABASE_URL, or
DATABASE_URL as authenticator).
"""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings, SettingsError


def app_from_env() -> Starlette:
    settings = Settings.from_env()
    admin = settings.database_url or ""
    if not (settings.api_database_url or admin):
        raise SettingsError("set API_DATABASE_URL or DATABASE_URL")
    return create_app(settings, dsn=settings.authenticator_dsn(admin))
