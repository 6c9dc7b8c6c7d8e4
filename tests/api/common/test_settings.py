"""api/common/settings.py: settings from the environment, and what production refuses."""

from __future__ import annotations

import pytest

from api.common.settings import MailSettings, Settings, SettingsError, with_user
from tests.support.env import production_env


def test_a_complete_production_environment_is_accepted() -> None:
    settings = Settings.from_env(production_env())

    assert settings.production
    assert settings.jwt_issuer == "https://api.slotbase.example"
    assert settings.issuer == "https://api.slotbase.example"


def test_production_refuses_missing_keys_and_issuer_listing_every_problem() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(production_env(JWT_PRIVATE_KEY="", JWT_ISSUER=""))

    message = str(refused.value)
    assert "JWT_PRIVATE_KEY" in message
    assert "JWT_ISSUER" in message


@pytest.mark.parametrize("password", ["changeme", "password", "admin"])
def test_production_refuses_a_default_superuser_password(password: str) -> None:
    env = production_env(FIRST_SUPERUSER_EMAIL="ops@example.com", FIRST_SUPERUSER_PASSWORD=password)

    with pytest.raises(SettingsError, match="FIRST_SUPERUSER_PASSWORD"):
        Settings.from_env(env)


def test_production_refuses_a_default_authenticator_password() -> None:
    with pytest.raises(SettingsError, match="AUTHENTICATOR_PASSWORD"):
        Settings.from_env(production_env(AUTHENTICATOR_PASSWORD="changeme"))


def test_development_accepts_dev_defaults() -> None:
    env = {"FIRST_SUPERUSER_EMAIL": "a@example.com", "FIRST_SUPERUSER_PASSWORD": "changeme"}
    settings = Settings.from_env(env)

    assert not settings.production
    assert settings.port == 8000
    assert settings.issuer == "http://127.0.0.1:8000"


@pytest.mark.parametrize("port", ["http", "8000.5", "0", "65536", "-1"])
def test_an_invalid_port_is_a_settings_error(port: str) -> None:
    with pytest.raises(SettingsError, match="PORT"):
        Settings.from_env({"PORT": port})


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(SettingsError, match="ENVIRONMENT"):
        Settings.from_env({"ENVIRONMENT": "staging"})


def test_with_user_builds_the_authenticator_dsn() -> None:
    dsn = "postgresql://postgres:s3cret@db.internal:6543/slotbase?sslmode=require"

    assert (
        with_user(dsn, "authenticator", "p@ss:w/rd")
        == "postgresql://authenticator:p%40ss%3Aw%2Frd@db.internal:6543/slotbase?sslmode=require"
    )
    assert (
        with_user(dsn, "authenticator")
        == "postgresql://authenticator@db.internal:6543/slotbase?sslmode=require"
    )
    assert with_user("postgresql://db/slotbase", "authenticator") == (
        "postgresql://authenticator@db/slotbase"
    )
    socket = "postgresql://postgres@/slotbase?host=/tmp/run&port=5432"
    assert with_user(socket, "authenticator") == (
        "postgresql://authenticator@/slotbase?host=/tmp/run&port=5432"
    )


def test_authenticator_dsn_prefers_api_database_url() -> None:
    admin = "postgresql://postgres:pw@db:5432/slotbase"
    settings = Settings.from_env({"DATABASE_URL": admin, "AUTHENTICATOR_PASSWORD": "hunter22"})
    assert (
        settings.authenticator_dsn(admin) == "postgresql://authenticator:hunter22@db:5432/slotbase"
    )

    api_url = "postgresql://api_user:pw@pooler:6432/slotbase"
    settings = Settings.from_env({"DATABASE_URL": admin, "API_DATABASE_URL": api_url})
    assert settings.authenticator_dsn(admin) == api_url


def test_a_wildcard_origin_with_credentials_is_refused():
    with pytest.raises(SettingsError, match="CORS_ORIGINS"):
        Settings.from_env({"CORS_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"JWT_PRIVATE_KEY": ""}, "JWT_PRIVATE_KEY is required"),
        ({"METRICS_TOKEN": "changeme"}, "METRICS_TOKEN is a default secret"),
        ({"METRICS_TOKEN": ""}, "/metrics would be public"),
        ({"AUTHENTICATOR_PASSWORD": "secret"}, "AUTHENTICATOR_PASSWORD"),
    ],
)
def test_production_refuses_development_defaults(overrides: dict[str, str], message: str):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(production_env(**overrides))


def test_production_may_serve_metrics_on_their_own_port_or_not_at_all():
    assert Settings.from_env(production_env(METRICS_TOKEN="", METRICS_PORT="9100")).metrics_port
    off = Settings.from_env(production_env(METRICS_TOKEN="", METRICS_ENABLED="false"))
    assert not off.metrics_enabled


# ---------------------------------------------------------------------------------------------
# The outbox worker's MAIL_* settings


def test_mail_settings_come_from_the_environment():
    assert MailSettings.from_env({}) == MailSettings()
    assert not MailSettings.from_env({}).sends
    mail = MailSettings.from_env(
        {
            "MAIL_HOST": "smtp.example.com",
            "MAIL_SECURITY": "starttls",
            "MAIL_USERNAME": "u",
            "MAIL_PASSWORD": "p",
            "MAIL_FROM": "Salon <booking@salon.example>",
            "PUBLIC_URL": "https://book.example/",
        }
    )
    assert (mail.port, mail.envelope_from, mail.public_url) == (
        587,
        "booking@salon.example",
        "https://book.example",
    )
    assert MailSettings.from_env({"MAIL_SECURITY": "tls"}).port == 465
    assert MailSettings.from_env({"MAIL_PORT": "1025"}).port == 1025
    for bad in (
        {"MAIL_SECURITY": "ssl"},
        {"MAIL_PORT": "smtp"},
        {"MAIL_PORT": "0"},
        {"MAIL_FROM": "nobody"},
        {"MAIL_USERNAME": "u"},
        {"PUBLIC_URL": "book.example"},
    ):
        with pytest.raises(SettingsError):
            MailSettings.from_env(bad)


@pytest.mark.parametrize(
    "hosts",
    ["*", "slotbase.test", "API.Salon.Example, *.salon.example", "127.0.0.1", "[::1]", "::1"],
)
def test_allowed_hosts_take_names_patterns_and_addresses(hosts: str) -> None:
    settings = Settings.from_env({"ALLOWED_HOSTS": hosts})
    assert settings.allowed_hosts == tuple(h.strip().lower() for h in hosts.split(","))


@pytest.mark.parametrize(
    "host", ["*example.com", "*.", "exa mple.com", "a.*.example", "-x.example"]
)
def test_an_allowed_host_of_another_shape_is_refused_not_guessed(host: str) -> None:
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS"):
        Settings.from_env({"ALLOWED_HOSTS": f"slotbase.test, {host}"})
