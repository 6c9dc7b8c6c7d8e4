from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.pgtap import SQL_DIR, TapFailure, is_pgtap_file, parse_tap, run_file

if TYPE_CHECKING:
    from tests.conftest import TestDatabase

FAILED_IS = """\
1..3
ok 1 - first
not ok 2 - two equals three
# Failed test 2: "two equals three"
#         have: 2
#         want: 3
ok 3 - third # SKIP not today
not ok 4 - known gap # TODO later
# Looks like you failed 1 test of 3
"""


def write_sql(directory: Path, body: str) -> Path:
    path = directory / "case.sql"
    path.write_text(f"begin;\n{body}\nselect * from finish();\nrollback;\n")
    return path


def test_tap_output_is_read_into_plan_assertions_and_diagnostics() -> None:
    tap = parse_tap(FAILED_IS)

    assert tap.planned == 3
    assert [a.ok for a in tap.assertions] == [True, False, True, False]
    assert [a.number for a in tap.assertions] == [1, 2, 3, 4]
    assert tap.assertions[1].diagnostics[1:] == ["#         have: 2", "#         want: 3"]
    assert tap.assertions[2].directive == "SKIP not today"
    assert [a.number for a in tap.failures] == [2]
    assert tap.summary == ["# Looks like you failed 1 test of 3"]
    assert tap.problems() == ["planned 3 assertions but ran 4", "1 of 4 assertions failed"]


def test_only_top_level_sql_files_are_pgtap_items() -> None:
    assert is_pgtap_file(SQL_DIR / "00-smoke.sql")
    assert not is_pgtap_file(SQL_DIR / "helpers" / "personas.sql")
    assert not is_pgtap_file(SQL_DIR / "notes.txt")


def test_runner_passes_a_file_whose_assertions_all_pass(
    pgtap_ready: None, db: TestDatabase, tmp_path: Path
) -> None:
    path = write_sql(tmp_path, "select plan(2);\nselect ok(true, 'a');\nselect is(1, 1, 'b');")

    tap = run_file(path, db.admin_dsn)

    assert tap.planned == 2
    assert [a.description for a in tap.assertions] == ["a", "b"]


def test_runner_fails_on_a_not_ok_and_shows_its_diagnostics(
    pgtap_ready: None, db: TestDatabase, tmp_path: Path
) -> None:
    body = "select plan(2);\nselect ok(true, 'fine');\nselect is(2, 3, 'two equals three');"
    path = write_sql(tmp_path, body)

    with pytest.raises(TapFailure) as failure:
        run_file(path, db.admin_dsn)

    report = str(failure.value)
    assert "1 of 2 assertions failed" in report
    assert "not ok 2 - two equals three" in report
    assert "have: 2" in report and "want: 3" in report
    assert "ok 1 - fine" not in report


def test_runner_fails_when_fewer_assertions_ran_than_planned(
    pgtap_ready: None, db: TestDatabase, tmp_path: Path
) -> None:
    path = write_sql(tmp_path, "select plan(3);\nselect ok(true, 'only one');")

    with pytest.raises(TapFailure, match="planned 3 assertions but ran 1"):
        run_file(path, db.admin_dsn)


def test_runner_fails_without_a_plan(pgtap_ready: None, db: TestDatabase, tmp_path: Path) -> None:
    path = tmp_path / "case.sql"
    path.write_text("select 'ok 1 - looks like TAP but has no plan';\n")

    with pytest.raises(TapFailure, match="no plan"):
        run_file(path, db.admin_dsn)


def test_runner_fails_on_a_sql_error_and_shows_psql_stderr(
    pgtap_ready: None, db: TestDatabase, tmp_path: Path
) -> None:
    body = "select plan(2);\nselect ok(true, 'before');\nselect * from no_such_table;"
    path = write_sql(tmp_path, body)

    with pytest.raises(TapFailure) as failure:
        run_file(path, db.admin_dsn)

    report = str(failure.value)
    assert "psql exited with status 3" in report
    assert 'relation "no_such_table" does not exist' in report
    assert "last assertion: ok 1 - before" in report


def test_runner_fails_when_the_server_is_unreachable(tmp_path: Path) -> None:
    path = write_sql(tmp_path, "select plan(1);\nselect ok(true, 'never runs');")
    dsn = f"postgresql://postgres@/postgres?host={tmp_path}&port=1"

    with pytest.raises(TapFailure, match="psql exited with status 2"):
        run_file(path, dsn)


def test_runner_honours_todo_assertions(
    pgtap_ready: None, db: TestDatabase, tmp_path: Path
) -> None:
    body = (
        "select plan(2);\nselect ok(true, 'done');\n"
        "select todo('not built yet', 1);\nselect ok(false, 'future feature');"
    )
    path = write_sql(tmp_path, body)

    tap = run_file(path, db.admin_dsn)

    assert tap.assertions[1].directive.startswith("TODO")
