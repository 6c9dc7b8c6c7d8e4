"""ASGI entry point for process managers: `uvicorn --factory api.asgi:app_from_env --workers N`.

Settings come from the environment; the API connects as authenticator (API_DATABASE_URL, or
DATABASE_URL as authenticator).
"""

from __future__ import annotations

import sys

from starlette.applications import Starlette

from api.app import create_app, settle_gc
from api.common import logs
from api.common.settings import Settings, SettingsError


def app_from_env() -> Starlette:
    """Invalid settings stop the process with status 2 and one line, not a traceback."""
    try:
        settings = Settings.from_env()
        admin = settings.database_url or ""
        if not (settings.api_database_url or admin):
            raise SettingsError("set API_DATABASE_URL or DATABASE_URL")
    except SettingsError as exc:
        print(f"slotbase: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logs.setup(settings)
    app = create_app(settings, dsn=settings.authenticator_dsn(admin))
    settle_gc()
    return app
