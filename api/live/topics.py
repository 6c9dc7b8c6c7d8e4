"""What both live transports share: topics parsed from the client, checked in SQL
(api.event_topics under the caller's identity), and a resume from an event id
(api.events_since), with live delivery started first so nothing committed in between is lost."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from api.common.errors import Problem
from api.live.hub import Event, Hub, Subscriber
from api.request.auth import Identity

WRITE_TIMEOUT = 10.0  # a client that takes longer to accept one write is dropped
REPLAY_MAX = 1000  # events replayed on resume; beyond it the client is told to reload
MAX_TOPICS_TEXT = 8192


def parse_topics(raw: Any, identity: Identity) -> list[str]:
    """Topic names, availability ids normalized; SQL judges whether they may be had."""
    if raw is None or raw == "":
        if identity.anon:
            raise Problem(
                422, "validation_failed", "Name topics: bookings, or availability:<provider id>."
            )
        return ["bookings"]
    if isinstance(raw, str):
        if len(raw) > MAX_TOPICS_TEXT:
            raise Problem(422, "validation_failed", "Too many topics.")
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise Problem(422, "validation_failed", "topics is a list of topic names.")
    topics: list[str] = []
    for item in raw:
        topic = item.strip()
        name, colon, rest = topic.partition(":")
        if colon and name == "availability":
            with contextlib.suppress(ValueError):
                topic = "availability:" + str(uuid.UUID(rest))
        if topic not in topics:
            topics.append(topic)
    return topics


def parse_last_id(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 18:
        raise Problem(422, "validation_failed", "Last-Event-ID must be an event id.")
    return int(text)


async def subscribe(
    hub: Hub, sub: Subscriber, topics: list[str], last_id: int | None
) -> tuple[list[Event], bool]:
    """Check the topics in SQL, start live delivery, and fetch what was missed since last_id.

    Live delivery starts before the replay is read, so nothing committed in between is lost;
    the stream drops the overlap by id.
    """
    hub.set_topics(sub, set(sub.topics) | set(topics))
    try:
        checked = await hub.call(sub.identity, "event_topics", {"topics": topics})
        hub.set_topics(sub, (set(sub.topics) - set(topics)) | set(checked))
        replay: list[Event] = []
        gap = False
        after = last_id
        while after is not None and len(replay) < REPLAY_MAX:
            page = await hub.call(
                sub.identity, "events_since", {"after": after, "topics": checked, "lim": 200}
            )
            gap = gap or bool(page.get("gap"))
            replay.extend(Event.from_json(item) for item in page["items"])
            cursor = page.get("next_cursor")
            after = int(cursor) if cursor else None
        if after is not None:
            gap = True  # more than a replay can carry: reload instead
            replay = []
    except Problem:  # forward.call raises every failure as one, the database being away too
        hub.set_topics(sub, set(sub.topics) - set(topics))
        raise
    for event in replay:
        sub.remember(event.id)
    return replay, gap
