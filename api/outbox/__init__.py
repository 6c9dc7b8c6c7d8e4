"""Email from the outbox: rendering a row of outbox.messages (text, HTML, .ics) and sending it
over SMTP, and the worker loop that claims, sends and marks rows (`python -m api.worker`).

May import: `api.common`. It never imports the HTTP side: the worker is its own process.
"""
