"""Live updates: one LISTEN connection per instance (events) fanned out to Server-Sent Events and
WebSocket streams (streams); what a stream may see is asked of SQL under its identity.

May import: `api.common`, `api.request`, `jwks`.
"""
