"""Environments for Settings.from_env: a complete production one, changed as a test needs."""

from __future__ import annotations

from jwks import generate_key, private_pem

PROD_KEY = private_pem(generate_key())


def production_env(**overrides: str) -> dict[str, str]:
    """Every setting production requires; an override of "" removes that variable."""
    env = {
        "ENVIRONMENT": "production",
        "JWT_PRIVATE_KEY": PROD_KEY,
        "JWT_ISSUER": "https://api.slotbase.example/",
        "DATABASE_URL": "postgresql://postgres:pw@db:5432/slotbase",
        "AUTHENTICATOR_PASSWORD": "a-long-random-authenticator-secret",
        "METRICS_TOKEN": "a-long-random-metrics-token",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v}
