"""Sending over SMTP with the blocking smtplib (the worker runs it in a thread): one connection
reused for a batch, and each failure classified as permanent, retryable or unreachable.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from api.common.settings import MailSettings


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
