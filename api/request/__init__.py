"""The request path, top to bottom: the route table (routes), who is calling (auth), the api
functions and their argument types (catalog), one call to SQL under the caller's identity
(forward → db, replicas for reads), and the OAuth2 form flavour of the token routes (oauth).
Everything a route does is decided in SQL; this package binds HTTP to it.

May import: `api.common`, `jwks`.
"""
