"""The edge: security headers, allowed hosts, CORS, the request deadline, per-role statement
timeouts, and what production refuses to start with."""

from __future__ import annotations

import pytest

from tests.support.env import production_env

pytestmark = pytest.mark.anyio

# ---------------------------------------------------------------------------------------------
# Headers


# ---------------------------------------------------------------------------------------------
# Allowed hosts


# ---------------------------------------------------------------------------------------------
# CORS


# ---------------------------------------------------------------------------------------------
# Timeouts


# ---------------------------------------------------------------------------------------------
# Production refuses development defaults


def test_the_asgi_factory_stops_with_one_line_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from api.asgi import app_from_env

    for name, value in production_env(DEBUG="true").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DEBUG must be off" in err and "Traceback" not in err
