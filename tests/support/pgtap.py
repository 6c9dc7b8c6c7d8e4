"""pgTAP files under tests/sql/ as pytest items: one item per file, run by psql, TAP checked here.

A file fails when psql exits non-zero, when it prints no plan, when any assertion is `not ok`
(unless marked TODO), or when the number of assertions differs from the plan. A missing psql, an
unreachable server or a missing pgTAP extension are failures too, never skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from api.ops.devdb import ClusterError, find_bindir

if TYPE_CHECKING:
    from tests.conftest import TestDatabase

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
HELPERS_DIR = SQL_DIR / "helpers"
TIMEOUT = 300.0

_PLAN = re.compile(r"^1\.\.(\d+)\b")
_RESULT = re.compile(r"^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
_DIRECTIVE = re.compile(r"^(.*?)\s*(?<!\\)#\s*(TODO|SKIP)\b\s*(.*)$", re.IGNORECASE)


@dataclass
class Assertion:
    number: int
    ok: bool
    description: str
    directive: str = ""
    diagnostics: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return not self.ok and not self.directive.upper().startswith("TODO")

    def render(self) -> str:
        head = f"{'ok' if self.ok else 'not ok'} {self.number} - {self.description}"
        if self.directive:
            head += f" # {self.directive}"
        return "\n".join([head, *(f"    {line}" for line in self.diagnostics)])


@dataclass
class TapResult:
    planned: int | None = None
    assertions: list[Assertion] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Assertion]:
        return [a for a in self.assertions if a.failed]

    def problems(self) -> list[str]:
        problems = []
        if self.planned is None:
            problems.append("no plan: the file never printed `1..N` (call plan(n) or finish())")
        elif self.planned != len(self.assertions):
            problems.append(f"planned {self.planned} assertions but ran {len(self.assertions)}")
        if failures := self.failures:
            problems.append(f"{len(failures)} of {len(self.assertions)} assertions failed")
        return problems


class TapFailure(Exception):
    """A pgTAP file failed; the message is the whole report."""


def parse_tap(text: str) -> TapResult:
    result = TapResult()
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        if plan := _PLAN.match(line):
            result.planned = int(plan.group(1))
        elif match := _RESULT.match(line):
            number = int(match.group(2)) if match.group(2) else len(result.assertions) + 1
            description, directive = match.group(3), ""
            if found := _DIRECTIVE.match(description):
                description = found.group(1)
                directive = f"{found.group(2).upper()} {found.group(3)}".strip()
            result.assertions.append(Assertion(number, not match.group(1), description, directive))
        elif line.startswith("#"):
            if line.startswith("# Looks like") or not result.assertions:
                result.summary.append(line)
            else:
                result.assertions[-1].diagnostics.append(line)
        else:
            result.other.append(line)
    return result


def psql_binary() -> str:
    if found := shutil.which("psql"):
        return found
    try:
        candidate = find_bindir() / "psql"
    except ClusterError:
        candidate = None
    if candidate is not None and candidate.is_file():
        return str(candidate)
    raise TapFailure("psql not found on PATH nor beside the PostgreSQL server binaries")


def run_file(path: Path, dsn: str, *, timeout: float = TIMEOUT) -> TapResult:
    """Run one pgTAP file with psql against `dsn`; return its TAP or raise TapFailure."""
    command = [psql_binary(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", str(path)]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PGCLIENTENCODING": "UTF8"}
    try:
        done = subprocess.run(
            [*command, dsn], capture_output=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        tap = (exc.stdout or b"").decode(errors="replace")
        raise TapFailure(f"{path}: psql did not finish within {timeout:g} s\n{tap}") from None
    stdout = done.stdout.decode(errors="replace")
    stderr = done.stderr.decode(errors="replace").strip()
    result = parse_tap(stdout)
    problems = result.problems()
    if done.returncode != 0:
        problems.insert(0, f"psql exited with status {done.returncode}")
    if problems:
        raise TapFailure(report(path, result, problems, stderr))
    return result


def report(path: Path, result: TapResult, problems: list[str], stderr: str) -> str:
    lines = [f"pgTAP {path.name}: " + "; ".join(problems)]
    for assertion in result.failures:
        lines += ["", assertion.render()]
    if result.summary:
        lines += ["", *result.summary]
    if result.other:
        lines += ["", "other output:", *(f"    {line}" for line in result.other)]
    if stderr:
        lines += ["", "psql stderr:", *(f"    {line}" for line in stderr.splitlines())]
    if result.assertions and not result.failures:
        lines += ["", f"last assertion: {result.assertions[-1].render()}"]
    return "\n".join(lines)


def is_pgtap_file(path: Path) -> bool:
    """tests/sql/*.sql are test files; tests/sql/helpers/*.sql are loaded into the template."""
    return path.suffix == ".sql" and path.resolve().parent == SQL_DIR


def collect_file(file_path: Path, parent: pytest.Collector) -> SqlFile | None:
    if is_pgtap_file(file_path):
        return SqlFile.from_parent(parent, path=file_path)
    return None


def _runner(path: Path) -> Callable[..., None]:
    # The item is a pytest.Function, so it receives its database from the same `db` fixture as
    # Python tests (a fresh clone of the template); `pgtap_ready` fails early if pgTAP is absent.
    def run_pgtap_file(pgtap_ready: None, db: TestDatabase) -> None:
        run_file(path, db.admin_dsn)

    return run_pgtap_file


class SqlFile(pytest.File):
    def collect(self) -> Iterator[SqlTest]:
        yield SqlTest.from_parent(self, name=self.path.stem, callobj=_runner(self.path))


class SqlTest(pytest.Function):
    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"pgTAP {self.path.name}"

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: str | None = None
    ) -> Any:
        if isinstance(excinfo.value, TapFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)
