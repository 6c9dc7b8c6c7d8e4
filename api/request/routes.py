"""The route table: each REST route is one line naming the api function it forwards to.

Arguments come from the path (by name), the query string and headers (declared names, renamed
to the function's argument) and the JSON body (any argument not bound elsewhere). The generic
/api/v1/rpc/<name> reaches every api function the same way (PostgREST's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bool = False
    sign: bool = False
    # Takes a password or a reset token, or makes an account or tokens: the edge counts it
    # against the stricter per-address limit for the auth routes as well.
    credentials: bool = False
    # Answers a calendar feed: the function's JSON written as text/calendar (api.outbox.feeds)
    # with its ETag, called as anon whatever the request carries (the query's token is the
    # credential: calendar apps send no Authorization header).
    calendar: bool = False


def r(method: str, path: str, function: str, status: int = 200, **kw: object) -> Route:
    return Route(method, PREFIX + path, function, status, **kw)  # type: ignore[arg-type]


PAGE = {"limit": "lim", "cursor": "cursor"}
RANGE = {"from": "range_from", "to": "range_to"}

ROUTES: list[Route] = [
    # Accounts and sessions
    r("POST", "/auth/register", "register", 201, body=True, credentials=True),
    r("POST", "/auth/login", "login", body=True, sign=True, credentials=True),
    r("POST", "/auth/refresh", "refresh", body=True, sign=True, credentials=True),
    r("POST", "/auth/logout", "logout", 204),
    r("POST", "/auth/logout-all", "logout_all", 204),
    r("POST", "/auth/change-password", "change_password", 204, body=True, credentials=True),
    r("GET", "/auth/sessions", "list_sessions", query=PAGE),
    r("DELETE", "/auth/sessions/{id}", "revoke_session", 204),
    r("GET", "/auth/me", "me"),
    r("GET", "/users/me", "me"),
    r("PATCH", "/users/me", "update_me", body=True),
    r("DELETE", "/users/me", "delete_me", 204),
    r("GET", "/users", "list_users", query=PAGE),
    r("GET", "/users/me/export", "export_me"),
    r("GET", "/users/me/consents", "list_consents"),
    r("POST", "/users/me/consents", "set_marketing_consent", body=True),
    r("GET", "/users/{id}", "get_user"),
    r("GET", "/users/{user_id}/export", "export_user"),
    r("POST", "/users/{user_id}/anonymize", "anonymize_user", 204),
    r("GET", "/users/{user_id}/audit", "user_audit", query=PAGE),
    r(
        "POST",
        "/auth/password-reset/request",
        "request_password_reset",
        202,
        body=True,
        credentials=True,
    ),
    r(
        "POST",
        "/auth/password-reset/confirm",
        "confirm_password_reset",
        204,
        body=True,
        credentials=True,
    ),
    r("POST", "/auth/verify-email/request", "request_email_verification", 202),
    r("POST", "/auth/verify-email/confirm", "confirm_email", 204, body=True),
    r("GET", "/search", "search", query={"q": "q", **PAGE}),
    # Organizations, providers, services
    r("POST", "/orgs", "create_org", 201, body=True),
    r("GET", "/orgs/{id_or_slug}", "get_org"),
    r("PATCH", "/orgs/{id}", "update_org", body=True),
    r("GET", "/orgs/{org_id}/members", "list_members", query=PAGE),
    r("GET", "/orgs/{org_id}/audit", "org_audit", query=PAGE),
    r("POST", "/orgs/{org_id}/members", "add_member", 202, body=True),
    r("GET", "/orgs/{org_id}/invitations", "list_invitations", query=PAGE),
    r("DELETE", "/invitations/{id}", "revoke_invitation", 204),
    r("GET", "/users/me/invitations", "my_invitations"),
    r("GET", "/users/me/memberships", "my_memberships"),
    r("POST", "/invitations/{id}/accept", "accept_invitation"),
    r("POST", "/invitations/{id}/decline", "decline_invitation", 204),
    r("PATCH", "/orgs/{org_id}/members/{user_id}", "update_member", body=True),
    r("DELETE", "/orgs/{org_id}/members/{user_id}", "remove_member", 204),
    r("POST", "/orgs/{org_id}/providers", "create_provider", 201, body=True),
    r("GET", "/orgs/{org_id}/providers", "list_providers", query=PAGE),
    r("GET", "/providers/{id}", "get_provider"),
    r("PATCH", "/providers/{id}", "update_provider", body=True),
    r("POST", "/orgs/{org_id}/services", "create_service", 201, body=True),
    r("GET", "/orgs/{org_id}/services", "list_services", query={"q": "q", **PAGE}),
    r("GET", "/services/{id}", "get_service"),
    r("PATCH", "/services/{id}", "update_service", body=True),
    r("DELETE", "/services/{id}", "delete_service", 204),
    r("POST", "/orgs/{org_id}/resources", "create_resource", 201, body=True),
    r("GET", "/orgs/{org_id}/resources", "list_resources", query=PAGE),
    r("GET", "/resources/{id}", "get_resource"),
    r("PATCH", "/resources/{id}", "update_resource", body=True),
    r("DELETE", "/resources/{id}", "delete_resource", 204),
    # Availability
    r("PUT", "/providers/{provider_id}/working-hours", "set_working_hours", body=True),
    r("GET", "/providers/{provider_id}/working-hours", "get_working_hours"),
    r("GET", "/providers/{provider_id}/overrides", "list_overrides", query=RANGE),
    r("PUT", "/providers/{provider_id}/overrides/{on_date}", "set_override", body=True),
    r("DELETE", "/providers/{provider_id}/overrides/{on_date}", "delete_override", 204),
    r("POST", "/providers/{provider_id}/time-off", "create_time_off", 201, body=True),
    r("GET", "/providers/{provider_id}/time-off", "list_time_off", query={**RANGE, **PAGE}),
    r("DELETE", "/time-off/{id}", "delete_time_off", 204),
    r(
        "GET",
        "/providers/{provider_id}/slots",
        "available_slots",
        query={"service_id": "service_id", **RANGE},
    ),
    r("GET", "/orgs/{org_id}/slots", "org_slots", query={"service_id": "service_id", **RANGE}),
    # Bookings
    r("POST", "/bookings/check-availability", "check_availability", body=True),
    r(
        "POST",
        "/bookings",
        "create_booking",
        201,
        body=True,
        headers={"idempotency-key": "idempotency_key"},
    ),
    r(
        "POST",
        "/bookings/series",
        "create_booking_series",
        201,
        body=True,
        headers={"idempotency-key": "idempotency_key"},
    ),
    r("GET", "/bookings/series/{id}", "get_booking_series"),
    r(
        "GET",
        "/bookings",
        "list_bookings",
        query={
            "org_id": "org_id",
            "status": "status",
            "provider_id": "provider_id",
            **RANGE,
            **PAGE,
        },
    ),
    r("POST", "/bookings/holds", "create_hold", 201, body=True),
    r("GET", "/bookings/holds/{id}", "get_hold"),
    r("POST", "/bookings/holds/{id}/confirm", "confirm_hold", 201, body=True),
    r("DELETE", "/bookings/holds/{id}", "release_hold", 204),
    r("GET", "/bookings/{id}", "get_booking"),
    r("POST", "/waitlist", "join_waitlist", 201, body=True),
    r("GET", "/waitlist", "my_waitlist"),
    r("DELETE", "/waitlist/{id}", "leave_waitlist", 204),
    r("PATCH", "/bookings/{id}", "update_booking_notes", body=True),
    r("GET", "/bookings/{id}/history", "booking_history"),
    r("POST", "/bookings/{id}/cancel", "cancel_booking", body=True),
    r("POST", "/bookings/{id}/reschedule", "reschedule_booking", body=True),
    r("POST", "/bookings/{id}/confirm", "confirm_booking"),
    r("POST", "/bookings/{id}/decline", "decline_booking"),
    r("POST", "/bookings/{id}/complete", "complete_booking"),
    r("POST", "/bookings/{id}/no-show", "no_show_booking"),
    # Calendar feeds
    r(
        "GET",
        "/providers/{provider_id}/calendar.ics",
        "provider_calendar_feed",
        query={"token": "token"},
        calendar=True,
    ),
    r("POST", "/providers/{provider_id}/calendar-token", "issue_provider_calendar_token", 201),
    r("DELETE", "/providers/{provider_id}/calendar-token", "revoke_provider_calendar_token", 204),
    r("GET", "/users/me/calendar.ics", "my_calendar_feed", query={"token": "token"}, calendar=True),
    r("POST", "/users/me/calendar-token", "issue_my_calendar_token", 201),
    r("DELETE", "/users/me/calendar-token", "revoke_my_calendar_token", 204),
]

# Functions whose result carries access-token claims for the API to sign.
SIGNING_FUNCTIONS = frozenset(route.function for route in ROUTES if route.sign)
# The OAuth2 form flavour of login and refresh (api.request.oauth), beside the table.
TOKEN_PATH = PREFIX + "/auth/token"
# Every way to reach a credentials function: its route, /rpc/<name>, and the OAuth2 token path.
AUTH_PATHS = frozenset(
    [
        TOKEN_PATH,
        *(route.path for route in ROUTES if route.credentials),
        *(f"{PREFIX}/rpc/{route.function}" for route in ROUTES if route.credentials),
    ]
)
