from __future__ import annotations

from string import Formatter
from typing import Any

import asyncpg
import pytest

from api.common.settings import MailSettings
from api.outbox.render import BOOKING_KINDS, render, text_part
from api.outbox.templates import LABELS, ROLE_NAMES, TEXTS
from tests.support.mail import booking_row

LANGUAGES = ("da", "en")
MAIL = MailSettings(public_url="https://book.example")
ACCOUNT_PAYLOADS: dict[str, dict[str, Any]] = {
    "password_reset": {"token": "t0k", "expires_minutes": 60, "recipient_name": "Åse"},
    "email_verification": {"token": "t0k", "expires_minutes": 2880, "recipient_name": "Åse"},
    "invitation": {
        "org_name": "Salon Nørrebro",
        "inviter_name": "Mette",
        "role": "staff",
        "expires_at": "2026-04-03T12:00:00Z",
        "recipient_name": "Åse",
    },
}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def literals(text: str) -> list[str]:
    """The fixed words of a template, between its placeholders."""
    return [part.strip() for part, _, _, _ in Formatter().parse(text) if part.strip()]


def row_of(kind: str, lang: str, **payload: Any) -> dict[str, Any]:
    """An outbox row that renders with the template `kind` (booking_pending is a pending
    booking_created)."""
    if kind == "booking_pending":
        return booking_row("booking_created", lang, status="pending", **payload)
    if kind in BOOKING_KINDS:
        return booking_row(kind, lang, previous_start="2026-03-28T10:00:00+01:00", **payload)
    if kind == "waitlist_offer":
        return booking_row(kind, lang, hold_expires_at="2026-03-20T13:10:00+01:00", **payload)
    row = booking_row(kind, lang)
    row["payload"] = {**ACCOUNT_PAYLOADS[kind], **payload}
    return row


def test_both_languages_have_the_same_messages_with_the_same_placeholders() -> None:
    assert set(TEXTS) == set(LABELS) == set(ROLE_NAMES) == set(LANGUAGES)
    assert TEXTS["da"].keys() == TEXTS["en"].keys()
    for kind, (subject, lead) in TEXTS["da"].items():
        en_subject, en_lead = TEXTS["en"][kind]
        assert fields(subject) == fields(en_subject), kind
        assert fields(lead) == fields(en_lead), kind


def test_both_languages_have_the_same_labels_with_the_same_placeholders() -> None:
    assert LABELS["da"].keys() == LABELS["en"].keys()
    for key, text in LABELS["da"].items():
        assert fields(text) == fields(LABELS["en"][key]), key
    assert ROLE_NAMES["da"].keys() == ROLE_NAMES["en"].keys()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TEXTS["en"]))
def test_every_message_kind_renders_in_both_languages(kind: str, lang: str) -> None:
    msg = render(row_of(kind, lang), MAIL)
    subject, text = str(msg["Subject"]), text_part(msg)
    assert msg["Content-Language"] == lang
    template_subject, template_lead = TEXTS[lang][kind]
    assert subject.startswith(literals(template_subject)[0])
    for words in literals(template_lead):
        assert words in text, (kind, words)
    assert not any(brace in subject + text for brace in "{}"), "every placeholder is filled"
    assert text.startswith(LABELS[lang]["hello"].format(name="Åse"))


@pytest.mark.parametrize(("lang", "inviter"), [("da", "Nogen"), ("en", "Someone")])
def test_an_invitation_from_someone_unnamed_says_so_in_the_recipients_language(
    lang: str, inviter: str
) -> None:
    msg = render(row_of("invitation", lang, inviter_name=""), MAIL)
    assert inviter in text_part(msg)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_invitation_names_the_role_in_the_recipients_language(lang: str) -> None:
    for role, name in ROLE_NAMES[lang].items():
        text = text_part(render(row_of("invitation", lang, role=role), MAIL))
        assert f" {name}." in text, (role, text)


def test_a_kind_without_a_template_is_refused() -> None:
    row = row_of("password_reset", "en")
    row["kind"] = "newsletter"
    with pytest.raises(ValueError, match="newsletter"):
        render(row, MAIL)


@pytest.mark.anyio
async def test_every_member_role_has_a_name_in_both_languages(db: Any) -> None:
    conn = await asyncpg.connect(db.admin_dsn)
    try:
        roles = await conn.fetchval("select pg_catalog.enum_range(null::app.member_role)::text[]")
    finally:
        await conn.close()
    assert roles
    for lang in LANGUAGES:
        assert sorted(ROLE_NAMES[lang]) == sorted(roles), lang
