"""docker-compose.yml, checked offline: valid against the Compose specification (the schema
vendored in check-jsonschema) and wired the way the README promises."""

from __future__ import annotations

import json
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
