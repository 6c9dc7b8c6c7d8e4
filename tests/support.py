"""Small helpers shared by the tests that run real servers: a free port, waiting for a state."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(check: Callable[[], object], what: str, seconds: float = 10) -> None:
    """Wait until `check()` is true; a deadline, not a timing assertion."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"waited in vain: {what}")
