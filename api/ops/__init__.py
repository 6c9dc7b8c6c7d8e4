"""Running slotbase: the migration runner, the local dev cluster and the world `slotbase dev`
brings up on it, health endpoints, the /metrics endpoint, and loading the token keys and
publishing them to the database.

May import: `api.common`, `api.request`, `jwks`.
"""
