"""JSON Schemas of what the api functions return, for the OpenAPI document.

SQL builds the JSON (`private.*_json`), so its shape is written down here once. Fields that are
always present are required; the schemas stay open (more fields may be added, API.md allows it).
A function not named in RESULTS is documented as returning some JSON value.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


UUID: Schema = {"type": "string", "format": "uuid"}
INSTANT: Schema = {"type": "string", "description": "RFC 3339 instant with an offset"}
STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}


def _object(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


SCHEMAS: dict[str, Schema] = {
    "User": _object(
        {
            "id": UUID,
            "email": _nullable("string"),
            "full_name": _nullable("string"),
            "locale": _nullable("string"),
            "email_verified": BOOLEAN,
            "created_at": INSTANT,
        }
    ),
    "TokenPair": _object(
        {
            "access_token": STRING,
            "token_type": {"type": "string", "enum": ["bearer"]},
            "expires_in": INTEGER,
            "refresh_token": STRING,
            "user": {"$ref": "#/components/schemas/User"},
        }
    ),
    "Session": _object(
        {"id": UUID, "created_at": INSTANT, "expires_at": INSTANT},
        {
            "last_used_at": _nullable("string"),
            "user_agent": _nullable("string"),
            "ip": _nullable("string"),
            "current": BOOLEAN,
        },
    ),
    "Organization": _object(
        {"id": UUID, "slug": STRING, "name": STRING, "timezone": STRING, "currency": STRING},
        {
            "search_language": STRING,
            "cancellation_cutoff_minutes": INTEGER,
            "max_active_bookings_per_customer": INTEGER,
            "booking_requires_verified_email": BOOLEAN,
            "hold_minutes": INTEGER,
            "waitlist_enabled": BOOLEAN,
            "created_at": INSTANT,
        },
    ),
    "Member": _object(
        {"user_id": UUID, "role": STRING},
        {"email": _nullable("string"), "full_name": _nullable("string")},
    ),
    "Membership": _object(
        {
            "org_id": UUID,
            "slug": STRING,
            "name": STRING,
            "timezone": STRING,
            "role": STRING,
            "provider_id": _nullable("string", format="uuid"),
        }
    ),
    "Provider": _object(
        {"id": UUID, "org_id": UUID, "display_name": STRING, "active": BOOLEAN},
        {
            "user_id": _nullable("string", format="uuid"),
            "timezone": _nullable("string"),
            "bio": _nullable("string"),
        },
    ),
    "Service": _object(
        {
            "id": UUID,
            "org_id": UUID,
            "name": STRING,
            "duration_minutes": INTEGER,
            "price_minor": INTEGER,
            "currency": STRING,
            "active": BOOLEAN,
        },
        {
            "description": _nullable("string"),
            "buffer_before_minutes": INTEGER,
            "buffer_after_minutes": INTEGER,
            "min_notice_minutes": INTEGER,
            "max_advance_days": INTEGER,
            "slot_interval_minutes": INTEGER,
            "requires_confirmation": BOOLEAN,
            "provider_ids": {"type": "array", "items": UUID},
        },
    ),
    "TimeOff": _object(
        {"id": UUID, "provider_id": UUID, "starts_at": INSTANT, "ends_at": INSTANT},
        {"reason": _nullable("string")},
    ),
    "Slots": _object(
        {
            "provider_id": UUID,
            "service_id": UUID,
            "timezone": STRING,
            "slots": {
                "type": "array",
                "items": _object({"start": INSTANT, "end": INSTANT}),
            },
        }
    ),
    "Availability": _object({"available": BOOLEAN}, {"reason": _nullable("string")}),
    "Booking": _object(
        {
            "id": UUID,
            "org_id": UUID,
            "provider_id": UUID,
            "service_id": UUID,
            "customer_id": UUID,
            "start": INSTANT,
            "end": INSTANT,
            "status": {
                "type": "string",
                "enum": [
                    "pending",
                    "confirmed",
                    "declined",
                    "cancelled",
                    "completed",
                    "no_show",
                ],
            },
            "price_minor": INTEGER,
            "currency": STRING,
            "sequence": INTEGER,
        },
        {
            "customer_note": _nullable("string"),
            "internal_note": _nullable("string"),
            "customer_name": _nullable("string"),
            "created_at": INSTANT,
            "updated_at": INSTANT,
            "cancelled_at": _nullable("string"),
            "cancel_reason": _nullable("string"),
            "series_id": _nullable("string", format="uuid"),
        },
    ),
    "OrgSlots": _object(
        {
            "org_id": UUID,
            "service_id": UUID,
            "timezone": STRING,
            "slots": {
                "type": "array",
                "items": _object(
                    {
                        "start": INSTANT,
                        "end": INSTANT,
                        "provider_ids": {"type": "array", "items": UUID},
                    }
                ),
            },
        }
    ),
    "Hold": _object(
        {
            "id": UUID,
            "org_id": UUID,
            "provider_id": UUID,
            "service_id": UUID,
            "start": INSTANT,
            "end": INSTANT,
            "expires_at": INSTANT,
        }
    ),
    "WaitlistEntry": _object(
        {
            "id": UUID,
            "org_id": UUID,
            "service_id": UUID,
            "from": INSTANT,
            "to": INSTANT,
            "status": {
                "type": "string",
                "enum": ["waiting", "offered", "booked", "lapsed", "cancelled"],
            },
            "created_at": INSTANT,
        },
        {
            "provider_id": _nullable("string", format="uuid"),
            "hold_id": _nullable("string", format="uuid"),
            "offered_at": _nullable("string"),
        },
    ),
    "BookingSeries": _object(
        {
            "series_id": UUID,
            "bookings": {"type": "array", "items": {"$ref": "#/components/schemas/Booking"}},
            "skipped": {
                "type": "array",
                "items": _object({"start": INSTANT, "reason": STRING}),
            },
        }
    ),
}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def page(name: str) -> Schema:
    return _object(
        {"items": {"type": "array", "items": ref(name)}, "next_cursor": _nullable("string")}
    )


OBJECT: Schema = {"type": "object"}
PAGE_OF_OBJECTS: Schema = _object(
    {"items": {"type": "array", "items": OBJECT}, "next_cursor": _nullable("string")}
)

RESULTS: dict[str, Schema] = {
    "register": ref("User"),
    "login": ref("TokenPair"),
    "refresh": ref("TokenPair"),
    "me": ref("User"),
    "update_me": ref("User"),
    "get_user": ref("User"),
    "list_users": page("User"),
    "list_sessions": page("Session"),
    "create_org": ref("Organization"),
    "get_org": ref("Organization"),
    "update_org": ref("Organization"),
    "list_members": page("Member"),
    "add_member": ref("Member"),
    "update_member": ref("Member"),
    "my_memberships": page("Membership"),
    "create_provider": ref("Provider"),
    "get_provider": ref("Provider"),
    "update_provider": ref("Provider"),
    "list_providers": page("Provider"),
    "create_service": ref("Service"),
    "get_service": ref("Service"),
    "update_service": ref("Service"),
    "list_services": page("Service"),
    "create_time_off": ref("TimeOff"),
    "list_time_off": page("TimeOff"),
    "available_slots": ref("Slots"),
    "org_slots": ref("OrgSlots"),
    "create_hold": ref("Hold"),
    "get_hold": ref("Hold"),
    "confirm_hold": ref("Booking"),
    "join_waitlist": ref("WaitlistEntry"),
    "my_waitlist": page("WaitlistEntry"),
    "check_availability": ref("Availability"),
    "create_booking": ref("Booking"),
    "create_booking_series": ref("BookingSeries"),
    "get_booking_series": _object(
        {
            "series_id": UUID,
            "every": STRING,
            "count": INTEGER,
            "start": INSTANT,
            "bookings": {"type": "array", "items": ref("Booking")},
        }
    ),
    "get_booking": ref("Booking"),
    "update_booking_notes": ref("Booking"),
    "cancel_booking": ref("Booking"),
    "reschedule_booking": ref("Booking"),
    "confirm_booking": ref("Booking"),
    "decline_booking": ref("Booking"),
    "complete_booking": ref("Booking"),
    "no_show_booking": ref("Booking"),
    "list_bookings": page("Booking"),
    "org_audit": PAGE_OF_OBJECTS,
    "user_audit": PAGE_OF_OBJECTS,
    "search": PAGE_OF_OBJECTS,
}


def nullable(schema: Schema) -> Schema:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return schema
