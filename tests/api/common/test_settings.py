from __future__ import annotations

import pytest

from api.common.settings import MailSettings, SettingsError


def test_mail_settings_come_from_the_environment():
    assert MailSettings.from_env({}) == MailSettings()
    assert not MailSettings.from_env({}).sends
    mail = MailSettings.from_env(
        {
            "MAIL_HOST": "smtp.example.com",
            "MAIL_SECURITY": "starttls",
            "MAIL_USERNAME": "u",
            "MAIL_PASSWORD": "p",
            "MAIL_FROM": "Salon <booking@salon.example>",
            "PUBLIC_URL": "https://book.example/",
        }
    )
    assert (mail.port, mail.envelope_from, mail.public_url) == (
        587,
        "booking@salon.example",
        "https://book.example",
    )
    assert MailSettings.from_env({"MAIL_SECURITY": "tls"}).port == 465
    assert MailSettings.from_env({"MAIL_PORT": "1025"}).port == 1025
    for bad in (
        {"MAIL_SECURITY": "ssl"},
        {"MAIL_PORT": "smtp"},
        {"MAIL_PORT": "0"},
        {"MAIL_FROM": "nobody"},
        {"MAIL_USERNAME": "u"},
        {"PUBLIC_URL": "book.example"},
    ):
        with pytest.raises(SettingsError):
            MailSettings.from_env(bad)
