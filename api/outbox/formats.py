"""Dates, times and prices in Danish and English."""

from __future__ import annotations

from datetime import datetime

DA_DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
DA_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")  # fmt: skip
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip
ZERO_DECIMAL = frozenset({"ISK", "JPY", "KRW", "CLP", "VND", "XOF", "XAF", "XPF", "UGX", "PYG"})


def language(locale: str | None) -> str:
    """Danish for da and da-XX; English for every other locale."""
    return "da" if (locale or "da").lower().startswith("da") else "en"


def when_text(at: datetime, lang: str) -> str:
    if lang == "da":
        day, month = DA_DAYS[at.weekday()], DA_MONTHS[at.month - 1]
        return f"{day} den {at.day}. {month} {at.year} kl. {at:%H.%M}"
    day, month = EN_DAYS[at.weekday()], EN_MONTHS[at.month - 1]
    return f"{day} {at.day} {month} {at.year} at {at:%H:%M}"


def price_text(minor: int, currency: str, lang: str) -> str:
    decimals = 0 if currency in ZERO_DECIMAL else 2
    amount = f"{minor / 10**decimals:,.{decimals}f}"
    if lang == "da":
        amount = amount.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return f"{amount} kr." if currency == "DKK" else f"{amount} {currency}"
    return f"{currency} {amount}"
