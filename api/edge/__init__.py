"""The middleware in front of every request, in the order `middleware.stack` lists it: request
id and security headers, allowed hosts, CORS, the client's address behind trusted proxies, rate
limits (GCRA in Redis), per-route timeouts, and the access log.

May import: `api.common`, `api.request` (the route table, and the caller's verified id for the
per-user limit), `jwks`.
"""
