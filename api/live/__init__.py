"""Live updates: one LISTEN connection per instance (listener) handing events to the Hub (hub),
which fans them out to Server-Sent Events (sse) and WebSocket (ws) streams; topics and resuming
are shared by both (topics). What a stream may see is asked of SQL under its identity.

May import: `api.common`, `api.request`, `jwks`.
"""
