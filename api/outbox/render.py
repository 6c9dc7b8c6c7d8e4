"""One row of outbox.messages as an email: text and HTML alternatives, and an .ics for booking
kinds, in the recipient's language.

A row carries everything a message needs in its payload, so rendering reads no database. The
Message-ID is the row's message_id, the Date its created_at: a message sent twice after a crash
is the same message twice, recognisable as a duplicate.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.common.settings import MailSettings
from api.outbox import ics
from api.outbox.formats import cldr_locale, language, price_text, when_text
from api.outbox.templates import LABELS, ROLE_NAMES, TEXTS, someone

BOOKING_KINDS = frozenset(
    {
        "booking_created",
        "booking_confirmed",
        "booking_declined",
        "booking_rescheduled",
        "booking_cancelled",
        "booking_reminder",
    }
)
CANCELLING_KINDS = frozenset({"booking_declined", "booking_cancelled"})
LINK_PATHS = {"password_reset": "/reset-password", "email_verification": "/verify-email"}
INVITATIONS_PATH = "/invitations"
# The app's page for the caller's waitlist (GET /waitlist: the offered entry names its hold).
WAITLIST_PATH = "/waitlist"
# Text an organization chose (its name, a service, a cancel reason) goes into subjects and bodies
# of platform email: no control characters (a line break in a subject is a header), and bounded.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean(text: object, limit: int = 200) -> str:
    value = _CONTROL.sub(" ", str(text or "")).strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Content:
    subject: str
    paragraphs: list[str]
    details: list[tuple[str, str]]
    link: tuple[str, str] | None  # (button text, URL)
    code: tuple[str, str] | None  # (label, the token itself, for apps without a browser)
    signature: str


def payload_of(row: Mapping[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    return json.loads(payload) if isinstance(payload, str) else dict(payload or {})


def _zone(name: object) -> ZoneInfo | None:
    """The provider's zone; None for one the system does not know (the payload's offsets hold)."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def content(row: Mapping[str, Any], payload: dict[str, Any], mail: MailSettings) -> Content:
    kind, lang, locale = str(row["kind"]), language(row["locale"]), cldr_locale(row["locale"])
    words, labels = TEXTS[lang], LABELS[lang]
    if kind not in words:
        raise ValueError(f"no template for message kind {kind!r}")
    email = str(row["recipient_email"])
    name = clean(payload.get("recipient_name"), 100) or email.split("@")[0]
    hello = labels["hello"].format(name=name)
    if kind == "invitation":
        subject, lead = words[kind]
        expires = datetime.fromisoformat(str(payload["expires_at"]).replace("Z", "+00:00"))
        fields = {
            "org": clean(payload.get("org_name"), 120),
            "inviter": clean(payload.get("inviter_name"), 120) or someone(lang),
            "role": ROLE_NAMES[lang].get(str(payload.get("role")), clean(payload.get("role"), 20)),
            "expires": when_text(expires, locale),
        }
        link = (labels["button_invitation"], f"{mail.public_url}{INVITATIONS_PATH}")
        return Content(
            subject.format(**fields), [hello, lead.format(**fields)], [], link, None,
            labels["sign_account"],
        )  # fmt: skip
    if kind in LINK_PATHS:
        subject, lead = words[kind]
        token = str(payload["token"])
        url = f"{mail.public_url}{LINK_PATHS[kind]}#token={quote(token, safe='')}"
        lead = lead.format(minutes=payload.get("expires_minutes", ""))
        button = labels[f"button_{kind}"]
        code = (labels["code"], token)
        return Content(subject, [hello, lead], [], (button, url), code, labels["sign_account"])
    zone = _zone(payload["timezone"])
    start = datetime.fromisoformat(payload["start"])
    pending = kind == "booking_created" and payload.get("status") == "pending"
    template = "booking_pending" if pending else kind
    previous = payload.get("previous_start")
    held_until = payload.get("hold_expires_at")
    fields = {
        "service": clean(payload["service_name"]),
        "provider": clean(payload["provider_name"]),
        "org": clean(payload["org_name"]),
        "when": when_text(start, locale, zone),
        "previous": when_text(datetime.fromisoformat(previous), locale, zone) if previous else "",
        "expires": when_text(datetime.fromisoformat(held_until), locale, zone)
        if held_until
        else "",
    }
    subject, lead = (text.format(**fields) for text in words[template])
    price = price_text(int(payload["price_minor"]), payload["currency"], locale)
    details = [
        (labels["service"], fields["service"]),
        (labels["provider"], fields["provider"]),
        (labels["when"], fields["when"]),
        (labels["duration"], labels["minutes"].format(n=payload["duration_minutes"])),
        (labels["price"], price),
        (labels["place"], fields["org"]),
        (labels["zone"], payload["timezone"]),
    ]
    if kind == "booking_cancelled" and payload.get("cancel_reason"):
        details.append((labels["reason"], clean(payload["cancel_reason"], 500)))
    signature = labels["sign"].format(org=fields["org"])
    offer = None
    if kind == "waitlist_offer":
        offer = (labels["button_waitlist_offer"], f"{mail.public_url}{WAITLIST_PATH}")
    return Content(subject, [hello, lead], details, offer, None, signature)


def plain_text(c: Content) -> str:
    lines = [*(p + "\n" for p in c.paragraphs)]
    if c.details:
        width = max(len(label) for label, _ in c.details) + 1
        lines += [f"{label + ':':<{width}} {value}" for label, value in c.details]
        lines.append("")
    if c.link:
        lines += [f"{c.link[0]}:", c.link[1], ""]
    if c.code:
        lines += [f"{c.code[0]}: {c.code[1]}", ""]
    lines.append(c.signature)
    return "\n".join(lines) + "\n"


def html_text(c: Content, lang: str) -> str:
    e = html.escape
    parts = [f"<p>{e(p)}</p>" for p in c.paragraphs]
    if c.details:
        rows = "".join(
            f'<tr><th align="left" style="padding:2px 12px 2px 0">{e(label)}</th>'
            f"<td>{e(value)}</td></tr>"
            for label, value in c.details
        )
        parts.append(f'<table role="presentation" cellspacing="0">{rows}</table>')
    if c.link:
        parts.append(
            f'<p><a href="{e(c.link[1])}" style="display:inline-block;padding:10px 16px;'
            f'background:#1f5f5b;color:#ffffff;text-decoration:none;border-radius:4px">'
            f"{e(c.link[0])}</a></p>"
        )
    if c.code:
        parts.append(f"<p>{e(c.code[0])}: <code>{e(c.code[1])}</code></p>")
    parts.append("<p>" + "<br>".join(e(line) for line in c.signature.split("\n")) + "</p>")
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{e(c.subject)}</title></head>\n"
        f'<body style="font-family:sans-serif;line-height:1.4">\n{body}\n</body></html>\n'
    )


def _recipient(email: str, name: str) -> Address | str:
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, IndexError):
        return email


def render(row: Mapping[str, Any], mail: MailSettings) -> EmailMessage:
    """The email of one outbox row: text and HTML alternatives, and .ics for booking kinds."""
    payload = payload_of(row)
    lang = language(row["locale"])
    c = content(row, payload, mail)
    created = row.get("created_at") or datetime.now(UTC)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = mail.sender
    msg["To"] = _recipient(str(row["recipient_email"]), str(payload.get("recipient_name") or ""))
    msg["Subject"] = c.subject
    msg["Date"] = format_datetime(created.astimezone(UTC))
    msg["Message-ID"] = f"<{row['message_id']}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Slotbase-Kind"] = str(row["kind"])
    msg.set_content(plain_text(c))
    msg.add_alternative(html_text(c, lang), subtype="html")
    if row["kind"] in BOOKING_KINDS:
        method = "CANCEL" if row["kind"] in CANCELLING_KINDS else "REQUEST"
        calendar = ics.booking_calendar(
            payload,
            method=method,
            organizer=mail.envelope_from,
            attendee=str(row["recipient_email"]),
            attendee_name=str(payload.get("recipient_name") or ""),
            summary=LABELS[lang]["summary"].format(
                service=payload["service_name"], provider=payload["provider_name"]
            ),
            description=plain_text(c),
            stamp=created,
        )
        msg.add_attachment(
            calendar.encode(),
            maintype="text",
            subtype="calendar",
            filename="booking.ics",
            params={"method": method, "charset": "UTF-8"},
        )
    # Last: building the body moves Content-* headers into the first part.
    msg["Content-Language"] = lang
    return msg


def text_part(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def for_log(msg: EmailMessage) -> str:
    """What the log shows when nothing is sent: headers, the text part, attachment names."""
    head = "\n".join(f"{k}: {v}" for k, v in msg.items())
    files = [p.get_filename() for p in msg.iter_attachments()]
    tail = f"\n[attachments: {', '.join(f for f in files if f)}]" if files else ""
    return f"{head}\n\n{text_part(msg).rstrip()}{tail}"
