"""api/common/scope.py: a request header read straight from the ASGI scope."""

from __future__ import annotations

from api.common.scope import header


def test_the_first_value_of_a_header_is_read_as_latin_1() -> None:
    scope = {"headers": [(b"user-agent", b"first \xe6"), (b"user-agent", b"second")]}
    assert header(scope, b"user-agent") == "first æ"


def test_a_header_not_sent_is_none_and_names_are_matched_as_asgi_gives_them() -> None:
    scope = {"headers": [(b"authorization", b"Bearer x")]}
    assert header(scope, b"x-request-id") is None
    assert header(scope, b"Authorization") is None  # ASGI names are lower case already
    assert header({"headers": []}, b"authorization") is None
