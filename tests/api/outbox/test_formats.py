from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

from api.outbox.formats import (
    ZERO_DECIMAL,
    cldr_locale,
    currency_spacing,
    language,
    price_text,
    when_text,
)

NBSP = "\u00a0"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# 10:00 in Copenhagen on the first day of summer time there
SUNDAY_TEN = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "lang", "cldr"),
    [
        ("da", "da", "da"),
        ("da-DK", "da", "da_DK"),
        ("DA_dk", "da", "da_DK"),
        ("da-XX", "da", "da"),
        (None, "da", "da"),
        ("", "da", "da"),
        ("en", "en", "en"),
        ("en-GB", "en", "en_GB"),
        ("en-US", "en", "en_US"),
        ("de-DE", "en", "en"),
        ("fr", "en", "en"),
        ("xx-YY", "en", "en"),
    ],
)
def test_danish_locales_read_danish_and_every_other_locale_english(
    locale: str | None, lang: str, cldr: str
) -> None:
    assert language(locale) == lang
    assert str(cldr_locale(locale)) == cldr


def test_a_danish_date_reads_weekday_date_and_kl_time_in_the_given_zone() -> None:
    da = cldr_locale("da")
    assert when_text(SUNDAY_TEN, da, COPENHAGEN) == "søndag den 29. marts 2026 kl. 10.00"
    assert (
        when_text(SUNDAY_TEN, da, ZoneInfo("Asia/Tokyo")) == "søndag den 29. marts 2026 kl. 17.00"
    )
    late_saturday_utc = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert when_text(late_saturday_utc, da, COPENHAGEN) == "søndag den 29. marts 2026 kl. 00.30"


def test_without_a_zone_a_date_keeps_its_own_offset() -> None:
    at = datetime.fromisoformat("2026-03-29T10:00:00+02:00")
    assert when_text(at, cldr_locale("da")) == "søndag den 29. marts 2026 kl. 10.00"
    assert when_text(at.astimezone(UTC), cldr_locale("da")) == "søndag den 29. marts 2026 kl. 08.00"


def test_an_english_date_follows_the_recipients_region() -> None:
    assert when_text(SUNDAY_TEN, cldr_locale("en-GB"), COPENHAGEN) == (
        "Sunday, 29 March 2026 at 10:00"
    )
    assert when_text(SUNDAY_TEN, cldr_locale("en-US"), COPENHAGEN) == (
        "Sunday, March 29, 2026 at 10:00\u202fAM"
    )


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "text"),
    [
        (45000, "DKK", "da", f"450,00{NBSP}kr."),
        (123456, "EUR", "da-DK", f"1.234,56{NBSP}€"),
        (5, "SEK", "da", f"0,05{NBSP}SEK"),
        (45000, "DKK", "en-GB", f"DKK{NBSP}450.00"),
        (123456, "EUR", "en", "€1,234.56"),
        (199, "GBP", "en-GB", "£1.99"),
        (45000, "USD", "en-US", "$450.00"),
    ],
)
def test_prices_are_hundredths_in_the_locales_format(
    minor: int, currency: str, locale: str, text: str
) -> None:
    assert price_text(minor, currency, cldr_locale(locale)) == text


@pytest.mark.parametrize(
    ("currency", "locale", "text"),
    [
        ("JPY", "en-US", "¥4,500"),
        ("ISK", "en", f"ISK{NBSP}4,500"),
        ("ISK", "da", f"4.500{NBSP}ISK"),
        ("KRW", "da", f"4.500{NBSP}₩"),
    ],
)
def test_zero_decimal_currencies_count_whole_units(currency: str, locale: str, text: str) -> None:
    assert price_text(4500, currency, cldr_locale(locale)) == text


def test_every_zero_decimal_currency_is_written_without_decimals() -> None:
    assert {"JPY", "ISK", "KRW"} <= ZERO_DECIMAL
    for currency in ZERO_DECIMAL:
        text = price_text(4500, currency, Locale("en"))
        assert "4,500" in text and "." not in text.replace(currency, ""), (currency, text)


def test_a_currency_code_is_kept_apart_from_the_digits_and_a_sign_is_not() -> None:
    assert currency_spacing("DKK450.00", "DKK") == f"DKK{NBSP}450.00"
    assert currency_spacing("450.00DKK", "DKK") == f"450.00{NBSP}DKK"
    assert currency_spacing(f"DKK{NBSP}450.00", "DKK") == f"DKK{NBSP}450.00"
    assert currency_spacing("$450.00", "$") == "$450.00"
    assert currency_spacing("450.00€", "€") == "450.00€"
    assert currency_spacing("450.00", "DKK") == "450.00"
