"""Running slotbase: the migration runner, the local dev cluster, health endpoints, the /metrics
endpoint, and publishing the token keys to the database.

May import: `api.common`, `api.request`, `jwks`.
"""
