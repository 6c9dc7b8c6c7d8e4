"""The contract apps build on, as a document: OpenAPI 3.1 built from the route table and the
catalog (argument types, comments, error codes read from the SQL source), result shapes, and
the Swagger UI page at /docs.

May import: `api.common`, `api.request`, `jwks`.
"""
