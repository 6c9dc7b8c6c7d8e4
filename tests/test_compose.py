"""docker-compose.yml, checked offline: valid against the Compose specification (the schema
vendored in check-jsonschema) and wired the way the README promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"

# The wiring the project relies on, as a JSON schema so the test needs no YAML parser of its own.
WIRING = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "object",
            "required": ["db", "redis", "api"],
            "properties": {
                "db": {"type": "object", "required": ["image"]},
                "redis": {"type": "object", "required": ["image"]},
                "api": {
                    "type": "object",
                    "required": ["build", "depends_on", "environment"],
                    "properties": {
                        "depends_on": {
                            "anyOf": [
                                {
                                    "type": "array",
                                    "allOf": [
                                        {"contains": {"const": "db"}},
                                        {"contains": {"const": "redis"}},
                                    ],
                                },
                                {"type": "object", "required": ["db", "redis"]},
                            ]
                        },
                        "environment": {
                            "anyOf": [
                                {"type": "object", "required": ["DATABASE_URL", "REDIS_URL"]},
                                {
                                    "type": "array",
                                    "allOf": [
                                        {"contains": {"pattern": "^DATABASE_URL="}},
                                        {"contains": {"pattern": "^REDIS_URL="}},
                                    ],
                                },
                            ]
                        },
                    },
                },
            },
        }
    },
}


def check_jsonschema() -> str:
    beside = Path(sys.executable).parent / "check-jsonschema"
    if beside.is_file():
        return str(beside)
    found = shutil.which("check-jsonschema")
    if found is None:
        pytest.fail(
            "check-jsonschema not found next to the interpreter or on PATH; "
            "install the test extras: pip install -e '.[test]'",
            pytrace=False,
        )
    return found


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [check_jsonschema(), *args, str(COMPOSE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_compose_file_matches_the_compose_specification() -> None:
    done = run_check("--builtin-schema", "vendor.compose-spec")

    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_db_redis_and_an_api_that_depends_on_both(tmp_path: Path) -> None:
    schema = tmp_path / "wiring.json"
    schema.write_text(json.dumps(WIRING))

    done = run_check("--schemafile", str(schema))

    assert done.returncode == 0, done.stdout + done.stderr


def test_the_api_image_is_built_from_the_repository_dockerfile() -> None:
    dockerfile = ROOT / "Dockerfile"

    assert dockerfile.is_file()
    text = dockerfile.read_text()
    assert text.lstrip().startswith(("FROM", "#", "ARG", "# syntax"))
    assert "FROM " in text
    assert "build: ." in COMPOSE.read_text()


# Settings the image itself fixes (Dockerfile ENV): where it listens and keeps its data.
SET_BY_THE_IMAGE = {"HOST", "PORT", "DATA_DIR", "JWT_KEYS_DIR"}


def readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text[text.index("## Configuration") :].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def compose_environment(service: str, shell: dict[str, str]) -> dict[str, str]:
    """The service's environment as compose would give it, from this shell environment."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(COMPOSE.read_text())
    env = dict(data["services"][service]["environment"])
    pattern = re.compile(r"\$\{([A-Z_]+):-([^${}]*)\}")

    def expand(value: str) -> str:
        while (step := pattern.sub(lambda m: shell.get(m[1]) or m[2], value)) != value:
            value = step
        return value

    return {k: expand(str(v)) for k, v in env.items()}


def test_every_setting_the_readme_names_can_be_passed_to_the_containers() -> None:
    text = COMPOSE.read_text()
    missing = sorted(
        name for name in readme_settings() - SET_BY_THE_IMAGE if f"${{{name}:-" not in text
    )
    assert missing == []


def test_a_production_environment_starts_the_api_and_the_worker() -> None:
    from api.common.settings import Settings, SettingsError
    from jwks import generate_key, private_pem

    production = {
        "ENVIRONMENT": "production",
        "POSTGRES_PASSWORD": "a-real-postgres-secret",
        "AUTHENTICATOR_PASSWORD": "a-real-authenticator-secret",
        "WORKER_PASSWORD": "a-real-worker-secret",
        "JWT_PRIVATE_KEY": private_pem(generate_key()),
        "JWT_ISSUER": "https://api.salon.example",
        "METRICS_TOKEN": "a-real-metrics-token",
        "MAIL_HOST": "smtp.salon.example",
        "TRUSTED_PROXIES": "10.0.0.0/8",
        "ALLOWED_HOSTS": "api.salon.example",
    }
    api = compose_environment("api", production)
    settings = Settings.from_env(api)  # raises on anything production refuses
    assert settings.production and settings.trusted_proxies and settings.allowed_hosts
    assert "a-real-postgres-secret" in (settings.database_url or "")
    worker = compose_environment("worker", production)
    assert "slotbase_worker:a-real-worker-secret@" in worker["WORKER_DATABASE_URL"]
    assert "DATABASE_URL" not in worker, "the worker never gets the owner's URL"
    without_metrics = {k: v for k, v in production.items() if k != "METRICS_TOKEN"}
    with pytest.raises(SettingsError, match="metrics"):
        Settings.from_env(compose_environment("api", without_metrics))
