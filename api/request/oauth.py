"""POST /api/v1/auth/token: the OAuth2 form flavour of login and refresh (RFC 6749).

The same SQL functions answer; only the request and error shapes differ (§4.3, §6, §5.2).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.request.forward import invoke

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
GRANTS = {
    "password": ("login", {"username": "email", "password": "password"}),
    "refresh_token": ("refresh", {"refresh_token": "refresh_token"}),
}
INVALID_GRANT = {
    "invalid_credentials",
    "account_locked",
    "invalid_refresh_token",
    "refresh_token_reused",
    "session_revoked",
}


def oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**NO_STORE, **(headers or {})},
    )


async def token(request: Request) -> Response:
    limit = request.app.state.settings.max_body_bytes
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            return oauth_error(413, "invalid_request", "The body is too large.")
    try:
        form = dict(parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=bool(raw)))
    except (ValueError, UnicodeDecodeError):
        return oauth_error(400, "invalid_request", "The body must be form-encoded.")
    grant = GRANTS.get(form.pop("grant_type", ""))
    if grant is None:
        return oauth_error(400, "unsupported_grant_type", "Use password or refresh_token.")
    function, names = grant
    form.pop("scope", None)
    form.pop("client_id", None)
    missing = [name for name in names if not form.get(name)]
    if missing or set(form) - set(names):
        return oauth_error(400, "invalid_request", "Missing or unknown parameters.")
    args = {names[key]: value for key, value in form.items()}
    # The grant is the credential; an Authorization header (client authentication) is not a
    # bearer token here.
    response = await invoke(request, function, args, sign=True, anonymous=True)
    if response.status_code < 400:
        response.headers.update(NO_STORE)
        return response
    body = json.loads(bytes(response.body))
    code = body.get("code", "")
    retry = (
        {"Retry-After": response.headers["retry-after"]}
        if "retry-after" in response.headers
        else None
    )
    if code in INVALID_GRANT:
        return oauth_error(400, "invalid_grant", code, retry)
    if response.status_code in (400, 422):
        return oauth_error(400, "invalid_request", code)
    error = "temporarily_unavailable" if response.status_code == 503 else "server_error"
    return oauth_error(response.status_code, error, code, retry)
