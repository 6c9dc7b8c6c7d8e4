"""Email from the outbox: rendering a row of outbox.messages (text, HTML, .ics) and sending it
over SMTP, and the worker loop that claims, sends and marks rows (`python -m api.worker`).

render (with templates, formats, ics) builds a message, smtp sends it, worker runs the loop;
their settings (MAIL_*) are api.common.settings.MailSettings. feeds writes the calendar feeds
apps subscribe to with the same iCalendar parts (ics); api.app serves them.

May import: `api.common`. It never imports the HTTP side: the worker is its own process.
"""
