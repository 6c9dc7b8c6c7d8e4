"""api/common/logs.py: one JSON object per line (or plain text), and the root logger's setup."""

from __future__ import annotations

import json
import logging
import sys
import time

import pytest

from api.common.logs import JsonFormatter, TextFormatter, setup
from api.common.settings import Settings


def test_the_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("slotbase", logging.WARNING, __file__, 1, "a\nb %s", ("c",), None)
    record.fields = {"request_id": "r1"}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "a\nb c" and entry["request_id"] == "r1"
    assert entry["level"] == "warning"


def test_an_exception_is_one_field_of_the_json_line() -> None:
    try:
        raise ValueError("the pool is closed")
    except ValueError:
        record = logging.LogRecord(
            "slotbase", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed" and entry["logger"] == "slotbase"
    assert "ValueError: the pool is closed" in entry["exception"]
    assert entry["ts"].endswith("Z")


def test_the_text_formatter_appends_the_fields_that_have_a_value() -> None:
    record = logging.LogRecord("slotbase.access", logging.INFO, __file__, 1, "GET /x 200", (), None)
    record.fields = {"request_id": "r1", "user_id": None, "status": 200}
    assert (
        TextFormatter().format(record)
        == "INFO slotbase.access: GET /x 200 request_id=r1 status=200"
    )


@pytest.mark.parametrize(
    ("log_format", "formatter"), [("json", JsonFormatter), ("text", TextFormatter)]
)
def test_setup_leaves_one_stderr_handler_in_the_chosen_format_and_level(
    root_logging: logging.Logger, log_format: str, formatter: type[logging.Formatter]
) -> None:
    logging.getLogger("uvicorn").addHandler(logging.NullHandler())
    setup(Settings(log_format=log_format, log_level="WARNING"))
    [handler] = root_logging.handlers
    assert isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    assert isinstance(handler.formatter, formatter)
    assert root_logging.level == logging.WARNING
    for name in ("uvicorn", "uvicorn.error"):
        assert logging.getLogger(name).handlers == [] and logging.getLogger(name).propagate


def test_the_json_formatter_writes_each_record_s_own_time():
    formatter = JsonFormatter()
    for created in (1_800_000_000.25, 1_800_000_000.75, 1_800_000_001.5, 1_799_999_999.0):
        record = logging.LogRecord("slotbase", logging.INFO, __file__, 1, "m", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        assert json.loads(formatter.format(record))["ts"] == f"{stamp}.{int(record.msecs):03d}Z"
