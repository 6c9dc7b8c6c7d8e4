"""Dates, times and prices in the recipient's locale, written by Babel from CLDR's data.

The words around them (api/outbox/templates.py) exist in Danish and English only, so a locale
of another language gets English formats too: a German date inside an English sentence reads
worse than an English one.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, tzinfo
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, get_currency_symbol

# Currencies whose price_minor counts whole units; every other currency counts hundredths.
ZERO_DECIMAL = frozenset({"ISK", "JPY", "KRW", "CLP", "VND", "XOF", "XAF", "XPF", "UGX", "PYG"})
NO_BREAK = "\u00a0"


def language(locale: str | None) -> str:
    """Danish for da and da-XX; English for every other locale."""
    return "da" if (locale or "da").lower().startswith("da") else "en"


def cldr_locale(locale: str | None) -> Locale:
    """The recipient's locale (da-DK, en-GB) when it is of the text's language, else that
    language's own ('da', 'en')."""
    lang = language(locale)
    try:
        found = Locale.parse((locale or lang).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale(lang)
    return found if found.language == lang else Locale(lang)


def when_text(at: datetime, locale: Locale, zone: tzinfo | None = None) -> str:
    """The full date and the short time, in `zone` (else at's own offset), joined the way the
    locale says 'date at time' ("søndag den 29. marts 2026 kl. 10.00", "Sunday, 29 March 2026
    at 10:00"), as ICU does for a full date with a time."""
    local = at.astimezone(zone) if zone is not None else at
    # CLDR 48 keeps the 'at' form under the relative patterns; its standard one is a bare
    # space or comma ("… 2026 10.00"), which reads as a list inside a sentence.
    glue = locale.datetime_formats_relative.get("full") or get_datetime_format("full", locale)
    return (
        str(glue)
        .replace("'", "")
        .replace("{1}", format_date(local, "full", locale=locale))
        .replace("{0}", format_time(local, "short", tzinfo=local.tzinfo, locale=locale))
    )


def price_text(minor: int, currency: str, locale: Locale) -> str:
    """price_minor in the currency's CLDR format: "450,00 kr." (da), "DKK 450.00" (en-GB)."""
    amount = Decimal(minor).scaleb(0 if currency in ZERO_DECIMAL else -2)
    text = format_currency(amount, currency, locale=locale)
    return currency_spacing(text, get_currency_symbol(currency, locale=locale))


def currency_spacing(text: str, symbol: str) -> str:
    """CLDR's currencySpacing, which Babel does not apply: a currency symbol that ends (or
    starts) with a letter, such as a code, is kept apart from the digits by a no-break space
    ("DKK 450.00", never "DKK450.00"); "$450.00" stays as it is."""
    before, found, after = text.partition(symbol)
    if not found or not symbol:
        return text
    if after[:1].isdigit() and not _symbol_or_space(symbol[-1]):
        after = NO_BREAK + after
    if before[-1:].isdigit() and not _symbol_or_space(symbol[0]):
        before += NO_BREAK
    return before + symbol + after


def _symbol_or_space(char: str) -> bool:
    return unicodedata.category(char)[0] in "SZ"
