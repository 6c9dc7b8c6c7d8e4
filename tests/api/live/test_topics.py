"""api/live/topics.py: the topics a client names and the event id it resumes after, as both
transports read them; and how long events are kept to resume from."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from api.common.errors import Problem
from api.live.topics import MAX_TOPICS_TEXT, parse_last_id, parse_topics
from api.request.auth import ANON, Identity
from tests.support.live import NOW, Salon, at

pytestmark = pytest.mark.anyio
SIGNED_IN = Identity("authenticated", '{"sub": "u1"}', "u1")
PROVIDER = "7f1c2d3e-4a5b-4c6d-8e9f-a0b1c2d3e4f5"


async def test_events_are_kept_for_their_retention_then_purged(salon: Salon, db: Any):
    from api.outbox.worker import PURGE_EVENTS, as_service

    s = salon
    conn = s.seed.conn
    await conn.execute("delete from app.events")  # the seeding's schedule events
    await s.booked(s.alma, at("10:00"))
    ids = [r["id"] for r in await conn.fetch("select id from app.events order by id")]
    assert len(ids) == 2  # the booking and the desk's availability
    await conn.execute(
        "update private.settings set value = '1' where name = 'events_retention_minutes'"
    )
    await conn.execute(
        "update app.events set at = $1::text::timestamptz - interval '4 minutes'", NOW
    )
    worker = await asyncpg.connect(db.dsn_as("slotbase_worker"))
    try:
        assert (await as_service(worker, PURGE_EVENTS))[0][0] == 0  # never kept under 5 minutes
        await conn.execute("update app.events set at = $1::text::timestamptz - interval '6 minutes'"
                           " where id = $2", NOW, ids[0])  # fmt: skip
        assert (await as_service(worker, PURGE_EVENTS))[0][0] == 1
    finally:
        await worker.close()
    assert [r["id"] for r in await conn.fetch("select id from app.events")] == ids[1:]


def test_topics_come_as_a_comma_separated_text_or_a_list_each_named_once() -> None:
    upper = f"availability:{PROVIDER.upper()}"
    assert parse_topics(f"bookings, {upper},bookings", SIGNED_IN) == [
        "bookings",
        f"availability:{PROVIDER}",  # the id written as SQL writes it
    ]
    assert parse_topics(["bookings", f" availability:{PROVIDER} "], ANON) == [
        "bookings",
        f"availability:{PROVIDER}",
    ]
    # A name SQL does not know is passed on as it is: SQL refuses it (422), not Python.
    assert parse_topics("availability:not-a-uuid,everything", ANON) == [
        "availability:not-a-uuid",
        "everything",
    ]


def test_no_topics_means_bookings_for_a_signed_in_caller_and_is_refused_for_anon() -> None:
    assert parse_topics(None, SIGNED_IN) == ["bookings"]
    assert parse_topics("", SIGNED_IN) == ["bookings"]
    with pytest.raises(Problem) as refused:
        parse_topics(None, ANON)
    assert (refused.value.status, refused.value.code) == (422, "validation_failed")


@pytest.mark.parametrize(
    "raw", [["bookings", 7], {"bookings": True}, 42, "b" * (MAX_TOPICS_TEXT + 1)]
)
def test_topics_of_another_shape_or_too_many_are_refused(raw: Any) -> None:
    with pytest.raises(Problem) as refused:
        parse_topics(raw, SIGNED_IN)
    assert (refused.value.status, refused.value.code) == (422, "validation_failed")


def test_a_resume_point_is_an_event_id_or_nothing() -> None:
    assert parse_last_id(None) is None
    assert parse_last_id("") is None
    assert parse_last_id(" 42 ") == 42
    assert parse_last_id(7) == 7
    for raw in ("x", "-1", "4.2", "1e3", "9" * 19):
        with pytest.raises(Problem) as refused:
            parse_last_id(raw)
        assert (refused.value.status, refused.value.code) == (422, "validation_failed")
