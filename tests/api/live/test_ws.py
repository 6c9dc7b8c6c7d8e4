"""api/live/ws.py: live updates over a WebSocket: the token in the subprotocol or a message,
refusals as messages and close codes, and a socket that floods being closed."""

from __future__ import annotations

import pytest

from api.live.ws import (
    CLOSE_BAD_MESSAGE,
    CLOSE_RATE_LIMITED,
    CLOSE_RESYNC,
    CLOSE_UNAUTHORIZED,
    close_code,
)
from tests.support.live import AVAILABILITY_DATA, Salon, at, mentions, token, ws

pytestmark = pytest.mark.anyio


async def test_websocket_delivers_the_same_events_by_either_way_of_giving_the_token(
    salon: Salon,
):
    s = salon
    async with (
        ws(s.base, token(s.alma)) as alma,
        ws(s.base, token(s.bo), via="message") as bo,
        ws(s.base, token(s.stig)) as stig,
        ws(s.base) as visitor,
    ):
        for client in (alma, bo, stig):
            assert await client.subscribe("bookings") == {
                "type": "subscribed",
                "topics": ["bookings"],
            }
        assert (await visitor.subscribe(f"availability:{s.desk.upper()}"))["topics"] == [
            f"availability:{s.desk}"
        ]
        mine = await s.booked(s.alma, at("10:00"))
        his = await s.booked(s.bo, at("14:00"))
        assert (await alma.event())["data"]["booking_id"] == mine["id"]
        assert (await bo.event())["data"]["booking_id"] == his["id"]
        seen = {(await stig.event())["data"]["booking_id"] for _ in range(2)}
        assert seen == {mine["id"], his["id"]}
        slots = [await visitor.event(), await visitor.event()]
        assert all(set(e["data"]) == AVAILABILITY_DATA for e in slots)
        assert not mentions(await alma.quiet(), his["id"])
        assert not mentions(await bo.quiet(), mine["id"])


async def test_websocket_refusals_are_messages_and_close_codes(salon: Salon):
    s = salon
    async with ws(s.base) as visitor:
        answer = await visitor.subscribe("bookings")
        assert (answer["type"], answer["code"]) == ("error", "unauthorized")
        answer = await visitor.subscribe("availability:00000000-0000-4000-8000-000000000000")
        assert (answer["type"], answer["code"]) == ("error", "not_found")
        await visitor.send({"type": "ping"})
        assert await visitor.recv() == {"type": "pong"}
        await visitor.conn.send("not json")
        assert (await visitor.recv())["code"] == "invalid_json"
        await visitor.conn.wait_closed()
        assert visitor.conn.close_code == 4400
    async with ws(s.base, "not-a-token") as bad:
        answer = await bad.recv()
        assert (answer["type"], answer["code"]) == ("error", "malformed_token")
        await bad.conn.wait_closed()
        assert bad.conn.close_code == 4401


async def test_a_websocket_that_floods_messages_is_closed(salon: Salon):
    from api.live.ws import CLOSE_RATE_LIMITED, MESSAGE_BURST

    async with ws(salon.base) as flooder:
        for _ in range(MESSAGE_BURST + 10):
            await flooder.send({"type": "ping"})
        answers = [await flooder.recv() for _ in range(MESSAGE_BURST + 1)]
        assert answers[:MESSAGE_BURST] == [{"type": "pong"}] * MESSAGE_BURST
        assert answers[MESSAGE_BURST]["code"] == "rate_limited"
        await flooder.conn.wait_closed()
        assert flooder.conn.close_code == CLOSE_RATE_LIMITED


@pytest.mark.parametrize(
    ("status", "code", "closing"),
    [
        (401, "token_expired", CLOSE_UNAUTHORIZED),
        (401, "session_closed", CLOSE_UNAUTHORIZED),
        (429, "rate_limited", CLOSE_RATE_LIMITED),
        (503, "service_unavailable", 1013),
        (422, "invalid_json", CLOSE_BAD_MESSAGE),
        (422, "payload_too_large", CLOSE_BAD_MESSAGE),
        (409, "resync", CLOSE_RESYNC),
    ],
)
def test_each_refusal_closes_the_socket_with_its_code(status: int, code: str, closing: int):
    assert close_code(status, code) == closing
