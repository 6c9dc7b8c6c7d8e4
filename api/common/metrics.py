"""The Prometheus metrics every module reports to, in one registry of this process.

Counters and histograms are updated where things happen; gauges that describe a state (pool,
outbox backlog) are read when /metrics is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "slotbase_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "slotbase_http_request_duration_seconds",
    "Time from request to the end of the response, by route template and method.",
    ["route", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
AUTH_FAILURES = Counter(
    "slotbase_auth_failures",
    "Requests refused for their bearer token, by cause (the 401 code).",
    ["cause"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "slotbase_rate_limited",
    "Requests refused with 429 rate_limited, by the limit that refused them (ip, user, auth).",
    ["limit"],
    registry=REGISTRY,
)
EVENT_CONNECTIONS = Gauge(
    "slotbase_event_connections",
    "Live event streams open on this instance, by transport (sse, ws).",
    ["transport"],
    registry=REGISTRY,
)
EVENTS_DELIVERED = Counter(
    "slotbase_events_delivered",
    "Events written to live streams, by topic kind (bookings, availability).",
    ["topic"],
    registry=REGISTRY,
)
EVENT_CLIENTS_DROPPED = Counter(
    "slotbase_event_clients_dropped",
    "Live streams closed by the server, by reason (slow, session_closed, token_expired).",
    ["reason"],
    registry=REGISTRY,
)
POOL_CONNECTIONS = Gauge(
    "slotbase_db_pool_connections",
    "Connections of this instance's database pool, by state (in_use, idle); read at scrape.",
    ["state"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "slotbase_outbox_backlog",
    "Emails waiting to be sent (outbox rows pending); read at scrape.",
    registry=REGISTRY,
)
OUTBOX_OLDEST_AGE = Gauge(
    "slotbase_outbox_oldest_age_seconds",
    "Age of the oldest email waiting to be sent, 0 when none waits; read at scrape.",
    registry=REGISTRY,
)
