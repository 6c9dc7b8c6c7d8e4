"""slotbase's thin layer: HTTP in front of the SQL functions, the command line, the outbox worker.

The folders are the architecture. Imports flow down this list and never up or sideways, except
where a package's docstring names the one exception (tests/test_layout.py holds it):

    api.app, api.asgi, api.cli, api.worker   the ways in: build and run what is below
    api.web        the browser client: the booking page and the staff view (static files)
    api.ops        operations: migrations, the dev cluster, health, /metrics, key publishing
    api.contract   the contract: the OpenAPI document, result shapes, error codes, /docs
    api.edge       middleware in front of every request: hosts, CORS, client address, limits
    api.live       live updates: the LISTEN connection, SSE and WebSocket streams
    api.outbox     email: rendering outbox rows, SMTP, the worker loop
    api.request    the request path: route table, caller identity, one SQL call, the answer
    api.common     what every part uses: settings, problem responses, metrics, logs, Redis

`jwks` (beside `api`) signs and verifies tokens and imports nothing from `api`.
docs/architecture.md draws the same picture for a newcomer.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("slotbase")
except PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0.0.0"
