"""What every part of the layer uses: settings from the environment, RFC 9457 problem responses
and the SQLSTATE table, the Prometheus registry, logging, and the small Redis client.

May import: nothing from `api` but `api.common` itself.
"""
