"""The instance's streams and what reaches each: the Hub fans the listener's events out.

Triggers NOTIFY channel slotbase_events at commit (sql/code/87-events.sql). Availability events
arrive whole and go to every stream subscribed to that provider (SQL checked the topic when the
stream subscribed). A booking event arrives as an id only: for each identity with a `bookings`
stream, api.visible_events(ids) is asked under that identity, and row-level security decides
what it may receive. Python never decides who sees a booking.

A stream that cannot keep up is dropped (its queue is bounded), never waited for.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from api.common.errors import Problem
from api.common.metrics import EVENT_CLIENTS_DROPPED, EVENT_CONNECTIONS, EVENTS_DELIVERED
from api.request import forward
from api.request.auth import Identity

log = logging.getLogger("slotbase.events")
CHANNEL = "slotbase_events"
BOOKINGS = "bookings"
MAX_IDS = 1000  # api.visible_events takes at most this many ids per call
CHECKS_AT_ONCE = 8  # visibility queries in flight, so streams never starve requests of the pool
SEEN = 2048  # ids remembered per stream, to drop the overlap of a replay and live delivery


@dataclass(frozen=True)
class Event:
    id: int
    topic: str
    kind: str
    text: str  # the event's JSON as SQL wrote it

    @functools.cached_property
    def sse(self) -> bytes:
        """The Server-Sent Events frame, encoded once for every stream it goes to."""
        return f"id: {self.id}\ndata: {self.text}\n\n".encode()

    @classmethod
    def from_json(cls, data: dict[str, Any], text: str | None = None) -> Event:
        return cls(int(data["id"]), str(data["topic"]), str(data["kind"]), text or json.dumps(data))


Caller = Callable[[Identity, str, dict[str, Any]], Awaitable[Any]]


def sql_caller(state: Any) -> Caller:
    """Call an api function under an identity, as a request would (forward.call), on the
    primary: the check is about a change that was just committed there. JSON result, or
    the Problem SQL answered."""
    counter = itertools.count(1)

    async def call(identity: Identity, function: str, args: dict[str, Any]) -> Any:
        context = json.dumps({"id": f"events-{next(counter)}"})
        _, result = await forward.call(
            state, identity, function, args, context=context, read_only=True, primary=True
        )
        return json.loads(result.body or "null")

    return call


@dataclass(eq=False)
class Subscriber:
    """One live stream: who is listening, to which topics, and its bounded queue."""

    identity: Identity
    topics: set[str]
    transport: str
    queue_size: int
    sid: str | None = None
    expires_at: float | None = None
    queue: asyncio.Queue[Event | None] = field(init=False)
    closed: str | None = None
    task: asyncio.Task[Any] | None = None
    last_id: int = 0
    _seen: collections.deque[int] = field(default_factory=lambda: collections.deque(maxlen=SEEN))

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.queue_size)
        if self.identity.claims:
            claims = json.loads(self.identity.claims)
            self.sid = claims.get("sid")
            self.expires_at = float(claims["exp"]) if "exp" in claims else None

    @property
    def key(self) -> str | None:
        """Streams with the same key see the same events: one visibility check serves them all."""
        return self.identity.claims

    def remember(self, event_id: int) -> None:
        """Delivered another way (a replay): do not deliver it live again."""
        self._seen.append(event_id)
        self.last_id = max(self.last_id, event_id)

    def seen(self, event_id: int) -> bool:
        return event_id in self._seen

    def offer(self, event: Event) -> None:
        if self.closed is not None or event.topic not in self.topics or self.seen(event.id):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close("slow")
            return
        self._seen.append(event.id)
        self.last_id = max(self.last_id, event.id)

    def close(self, reason: str) -> None:
        """End the stream: it sends what it must (a reason) and stops; a slow one is cut off."""
        if self.closed is not None:
            return
        self.closed = reason
        EVENT_CLIENTS_DROPPED.labels(reason).inc()
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
        if reason == "slow" and self.task is not None:
            self.task.cancel()  # it may be stuck writing to a client that does not read

    def expired(self) -> bool:
        return self.expires_at is not None and time.time() >= self.expires_at


class Hub:
    """This instance's streams, by topic and by session."""

    def __init__(self, call: Caller) -> None:
        self.call = call
        self.subscribers: set[Subscriber] = set()
        self.by_topic: dict[str, set[Subscriber]] = collections.defaultdict(set)
        self.by_sid: dict[str, set[Subscriber]] = collections.defaultdict(set)
        self.high_water = 0  # the newest event id this instance has seen
        self._pending: list[Event] = []
        self._pending_ids: list[int] = []
        self._flushing: asyncio.Task[None] | None = None
        self._checks = asyncio.Semaphore(CHECKS_AT_ONCE)

    # Streams come and go

    def add(self, sub: Subscriber) -> None:
        self.subscribers.add(sub)
        for topic in sub.topics:
            self.by_topic[topic].add(sub)
        if sub.sid:
            self.by_sid[sub.sid].add(sub)
        sub.last_id = max(sub.last_id, self.high_water)
        EVENT_CONNECTIONS.labels(sub.transport).inc()

    def set_topics(self, sub: Subscriber, topics: Iterable[str]) -> None:
        for topic in sub.topics:
            self._discard(self.by_topic, topic, sub)
        sub.topics = set(topics)
        for topic in sub.topics:
            self.by_topic[topic].add(sub)

    def remove(self, sub: Subscriber) -> None:
        if sub not in self.subscribers:
            return
        self.subscribers.discard(sub)
        for topic in sub.topics:
            self._discard(self.by_topic, topic, sub)
        if sub.sid:
            self._discard(self.by_sid, sub.sid, sub)
        EVENT_CONNECTIONS.labels(sub.transport).dec()

    @staticmethod
    def _discard(index: dict[str, set[Subscriber]], key: str, sub: Subscriber) -> None:
        members = index.get(key)
        if members is not None:
            members.discard(sub)
            if not members:
                del index[key]

    def close_all(self, reason: str) -> None:
        for sub in list(self.subscribers):
            sub.close(reason)

    # Events come in

    def notify(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            topic = data["topic"]
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed notification on %s", CHANNEL)
            return
        if topic == "session":
            for sub in list(self.by_sid.get(str(data.get("sid")), ())):
                sub.close("session_closed")
            return
        try:
            event_id = int(data["id"])
        except (KeyError, TypeError, ValueError):
            return
        self.high_water = max(self.high_water, event_id)
        if topic == BOOKINGS:
            self._pending_ids.append(event_id)
        else:
            self._pending.append(Event.from_json(data, payload))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        # Everything that arrived while a batch was being checked goes out as the next batch.
        while self._pending or self._pending_ids:
            events, self._pending = self._pending, []
            ids, self._pending_ids = self._pending_ids, []
            try:
                await self.deliver(events, ids)
            except Exception:  # a stream must never take the hub down with it
                log.exception("event delivery failed")

    async def deliver(self, events: list[Event], booking_ids: list[int]) -> None:
        """Public events as they are; booking ids through SQL for each identity listening."""
        batches: dict[Subscriber, list[Event]] = collections.defaultdict(list)
        for event in events:
            for sub in self.by_topic.get(event.topic, ()):
                batches[sub].append(event)
        if booking_ids and self.by_topic.get(BOOKINGS):
            await self._check(list(self.by_topic[BOOKINGS]), booking_ids, batches)
        self._hand_out(batches)

    async def catch_up(self, after: int, ceiling: int) -> None:
        """After the listener was down: every stream gets what it may see of (after, ceiling]."""
        if ceiling <= after or not self.subscribers:
            self.high_water = max(self.high_water, ceiling)
            return
        if ceiling - after > MAX_IDS:
            # Too much to replay here; the clients resume with Last-Event-ID instead.
            self.close_all("resync")
            return
        self.high_water = max(self.high_water, ceiling)
        batches: dict[Subscriber, list[Event]] = collections.defaultdict(list)
        await self._check(list(self.subscribers), list(range(after + 1, ceiling + 1)), batches)
        self._hand_out(batches)

    async def _check(
        self,
        subs: list[Subscriber],
        ids: list[int],
        batches: dict[Subscriber, list[Event]],
    ) -> None:
        groups: dict[str | None, list[Subscriber]] = collections.defaultdict(list)
        for sub in subs:
            if sub.closed is None:
                groups[sub.key].append(sub)

        async def check(members: list[Subscriber]) -> None:
            async with self._checks:
                try:
                    rows = await self.call(members[0].identity, "visible_events", {"ids": ids})
                except Problem as exc:
                    if exc.status == 401:  # the session ended or the token expired
                        for sub in members:
                            sub.close("session_closed")
                    else:
                        # Not knowing what they may see, they must not silently miss it: the
                        # clients reconnect and resume from Last-Event-ID.
                        log.warning("visible_events answered %s %s", exc.status, exc.code)
                        if exc.status >= 500:
                            for sub in members:
                                sub.close("resync")
                    return
            for row in rows or ():
                event = Event.from_json(row)
                for sub in members:
                    if event.topic in sub.topics:
                        batches[sub].append(event)

        await asyncio.gather(*(check(members) for members in groups.values()))

    @staticmethod
    def _hand_out(batches: dict[Subscriber, list[Event]]) -> None:
        for sub, events in batches.items():
            for event in sorted(events, key=lambda e: e.id):
                sub.offer(event)
                if sub.closed is None:
                    EVENTS_DELIVERED.labels(event.topic.partition(":")[0]).inc()


HEARTBEAT = Event(0, "", "", "")


async def next_event(sub: Subscriber, heartbeat: float) -> Event | None:
    """The next event, HEARTBEAT after a quiet interval, or None once the stream is closed."""
    if not sub.queue.empty():  # the common case under load: no timer, no task
        return sub.queue.get_nowait()
    wait = heartbeat
    if sub.expires_at is not None:
        wait = min(wait, max(0.0, sub.expires_at - time.time()))
    try:
        return await asyncio.wait_for(sub.queue.get(), wait)
    except TimeoutError:
        if sub.expired():
            sub.close("token_expired")
            return sub.queue.get_nowait()
        return HEARTBEAT
