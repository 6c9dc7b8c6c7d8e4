"""Email: rendering outbox rows (Danish and English, text and HTML, .ics), SMTP.

A row of outbox.messages carries everything a message needs in its payload, so rendering reads
no database. The Message-ID is the row's message_id, the Date its created_at: a message sent
twice after a crash is the same message twice, recognisable as a duplicate.
"""

from __future__ import annotations

import html
import json
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from api.common.settings import MailSettings
from api.outbox import ics

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
# Text an organization chose (its name, a service, a cancel reason) goes into subjects and bodies
# of platform email: no control characters (a line break in a subject is a header), and bounded.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean(text: object, limit: int = 200) -> str:
    value = _CONTROL.sub(" ", str(text or "")).strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Words

DA_DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
DA_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")  # fmt: skip
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip
ZERO_DECIMAL = frozenset({"ISK", "JPY", "KRW", "CLP", "VND", "XOF", "XAF", "XPF", "UGX", "PYG"})

# subject, lead; {service} {provider} {org} {when} {previous} {minutes} are filled in.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "da": {
        "booking_created": (
            "Booking bekræftet: {service} {when}",
            "Tak for din booking hos {org}. Vi glæder os til at se dig.",
        ),
        "booking_pending": (
            "Booking modtaget: {service} {when}",
            "Vi har modtaget din booking hos {org}. Du får besked, så snart den er bekræftet.",
        ),
        "booking_confirmed": (
            "Booking bekræftet: {service} {when}",
            "{org} har bekræftet din booking.",
        ),
        "booking_declined": (
            "Booking afvist: {service} {when}",
            "{org} kan desværre ikke tage imod din booking. Tiden er frigivet.",
        ),
        "booking_rescheduled": (
            "Booking flyttet: {service} {when}",
            "Din booking hos {org} er flyttet fra {previous}.",
        ),
        "booking_cancelled": (
            "Booking aflyst: {service} {when}",
            "Din booking hos {org} er aflyst.",
        ),
        "booking_reminder": (
            "Påmindelse: {service} {when}",
            "En påmindelse om din booking hos {org}.",
        ),
        "password_reset": (
            "Nulstil din adgangskode",
            "Nogen (forhåbentlig dig) har bedt om at nulstille adgangskoden til din konto. "
            "Linket virker i {minutes} minutter og kan bruges én gang. Har du ikke bedt om "
            "det, kan du se bort fra denne mail; din adgangskode er uændret.",
        ),
        "email_verification": (
            "Bekræft din e-mailadresse",
            "Bekræft, at denne adresse er din. Linket virker i {minutes} minutter og kan "
            "bruges én gang.",
        ),
        "invitation": (
            "Invitation til {org}",
            "{inviter} har inviteret dig til {org} som {role}. Log ind (eller opret en konto) "
            "med denne adresse, bekræft den, og tag imod invitationen. Den gælder til {expires}.",
        ),
    },
    "en": {
        "booking_created": (
            "Booking confirmed: {service} {when}",
            "Thank you for booking with {org}. We look forward to seeing you.",
        ),
        "booking_pending": (
            "Booking received: {service} {when}",
            "We have received your booking with {org}. You will hear from us once it is confirmed.",
        ),
        "booking_confirmed": (
            "Booking confirmed: {service} {when}",
            "{org} has confirmed your booking.",
        ),
        "booking_declined": (
            "Booking declined: {service} {when}",
            "Unfortunately {org} cannot accept your booking. The time has been released.",
        ),
        "booking_rescheduled": (
            "Booking moved: {service} {when}",
            "Your booking with {org} has been moved from {previous}.",
        ),
        "booking_cancelled": (
            "Booking cancelled: {service} {when}",
            "Your booking with {org} has been cancelled.",
        ),
        "booking_reminder": (
            "Reminder: {service} {when}",
            "A reminder of your booking with {org}.",
        ),
        "password_reset": (
            "Reset your password",
            "Someone (hopefully you) asked to reset the password of your account. The link "
            "works for {minutes} minutes and once only. If it was not you, ignore this email; "
            "your password has not changed.",
        ),
        "email_verification": (
            "Confirm your email address",
            "Please confirm that this address is yours. The link works for {minutes} minutes "
            "and once only.",
        ),
        "invitation": (
            "Invitation to {org}",
            "{inviter} has invited you to join {org} as {role}. Sign in (or register) with this "
            "address, confirm it, and accept the invitation. It is open until {expires}.",
        ),
    },
}
LABELS = {
    "da": {
        "hello": "Hej {name},",
        "service": "Behandling",
        "provider": "Hos",
        "when": "Tid",
        "duration": "Varighed",
        "minutes": "{n} minutter",
        "price": "Pris",
        "place": "Sted",
        "zone": "Tidszone",
        "reason": "Begrundelse",
        "button_password_reset": "Vælg ny adgangskode",
        "button_email_verification": "Bekræft e-mailadresse",
        "button_invitation": "Se dine invitationer",
        "code": "Eller brug denne kode",
        "summary": "{service} hos {provider}",
        "sign": "Venlig hilsen\n{org}",
        "sign_account": "Venlig hilsen\nslotbase",
    },
    "en": {
        "hello": "Hello {name},",
        "service": "Service",
        "provider": "With",
        "when": "When",
        "duration": "Duration",
        "minutes": "{n} minutes",
        "price": "Price",
        "place": "Place",
        "zone": "Time zone",
        "reason": "Reason",
        "button_password_reset": "Choose a new password",
        "button_email_verification": "Confirm email address",
        "button_invitation": "See your invitations",
        "code": "Or use this code",
        "summary": "{service} with {provider}",
        "sign": "Kind regards\n{org}",
        "sign_account": "Kind regards\nslotbase",
    },
}


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


# ---------------------------------------------------------------------------------------------
# Rendering


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


def content(row: Mapping[str, Any], payload: dict[str, Any], mail: MailSettings) -> Content:
    kind, lang = str(row["kind"]), language(row["locale"])
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
            "inviter": clean(payload.get("inviter_name"), 120) or fields_default(lang),
            "role": ROLE_NAMES[lang].get(str(payload.get("role")), clean(payload.get("role"), 20)),
            "expires": when_text(expires, lang),
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
    start = datetime.fromisoformat(payload["start"])
    pending = kind == "booking_created" and payload.get("status") == "pending"
    template = "booking_pending" if pending else kind
    previous = payload.get("previous_start")
    fields = {
        "service": clean(payload["service_name"]),
        "provider": clean(payload["provider_name"]),
        "org": clean(payload["org_name"]),
        "when": when_text(start, lang),
        "previous": when_text(datetime.fromisoformat(previous), lang) if previous else "",
    }
    subject, lead = (text.format(**fields) for text in words[template])
    details = [
        (labels["service"], fields["service"]),
        (labels["provider"], fields["provider"]),
        (labels["when"], fields["when"]),
        (labels["duration"], labels["minutes"].format(n=payload["duration_minutes"])),
        (labels["price"], price_text(int(payload["price_minor"]), payload["currency"], lang)),
        (labels["place"], fields["org"]),
        (labels["zone"], payload["timezone"]),
    ]
    if kind == "booking_cancelled" and payload.get("cancel_reason"):
        details.append((labels["reason"], clean(payload["cancel_reason"], 500)))
    signature = labels["sign"].format(org=fields["org"])
    return Content(subject, [hello, lead], details, None, None, signature)


ROLE_NAMES = {
    "da": {
        "owner": "ejer",
        "admin": "administrator",
        "staff": "medarbejder",
        "provider": "behandler",
    },
    "en": {"owner": "owner", "admin": "admin", "staff": "staff", "provider": "provider"},
}


def fields_default(lang: str) -> str:
    return "Someone" if lang == "en" else "Nogen"


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


# ---------------------------------------------------------------------------------------------
# Sending (blocking smtplib; the worker runs it in a thread)


class SendError(Exception):
    """permanent: the server refused this message for good (no retry). unreachable: no
    connection could be made, so the next messages would fail the same way."""

    def __init__(self, text: str, *, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(text)
        self.permanent, self.unreachable = permanent, unreachable


class SmtpSender:
    """One SMTP connection, opened on first use and reused until closed or broken."""

    def __init__(self, mail: MailSettings) -> None:
        self.mail = mail
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.mail.ca_file)

    def open(self) -> None:
        if self._smtp is not None:
            return
        m = self.mail
        assert m.host, "MAIL_HOST is not set"
        try:
            if m.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    m.host, m.port, timeout=m.timeout, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(m.host, m.port, timeout=m.timeout)
            try:
                smtp.ehlo()
                if m.security == "starttls":
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                if m.username:
                    smtp.login(m.username, m.password or "")
            except BaseException:
                smtp.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(
                f"cannot connect to {m.host}:{m.port}: {exc}", unreachable=True
            ) from exc
        self._smtp = smtp

    def send(self, msg: EmailMessage, recipient: str) -> None:
        self.open()
        assert self._smtp is not None
        try:
            self._smtp.send_message(msg, self.mail.envelope_from, [recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = f"recipient refused: {exc.recipients}"
            raise SendError(text, permanent=min(codes) >= 500) from exc
        except smtplib.SMTPDataError as exc:
            # Refused content (550, 552, 554) stays refused; the sender address is configuration,
            # so a refused sender (SMTPSenderRefused, below) is retried until someone fixes it.
            text = f"{exc.smtp_code} {exc.smtp_error!r}"
            raise SendError(text, permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPNotSupportedError, UnicodeError, ValueError) as exc:
            raise SendError(f"cannot send this message: {exc}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"connection failed: {exc}") from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
