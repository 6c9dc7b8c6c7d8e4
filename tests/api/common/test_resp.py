"""The rate limiter's Redis connection: pipelining, URLs with db and password, reconnecting."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
import redis

from api.common.resp import Connection, ReplyError
from tests.support.redis_server import RedisProcess
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio


async def test_concurrent_requests_get_their_own_replies_in_order(redis_url: str) -> None:
    conn = Connection(redis_url)
    try:
        await asyncio.gather(*(conn.execute("SET", f"k{i}", "x" * i) for i in range(200)))
        replies = await asyncio.gather(*(conn.execute("GET", f"k{i}") for i in range(200)))
        assert replies == [b"x" * i for i in range(200)]
        assert await conn.execute("MGET", "k3", "missing") == [b"xxx", None]
        assert await conn.execute("INCR", "n") == 1
    finally:
        await conn.close()


async def test_an_error_reply_fails_one_request_and_not_the_connection(redis_url: str) -> None:
    conn = Connection(redis_url)
    try:
        results = await asyncio.gather(
            conn.execute("PING"),
            conn.execute("NOSUCHCOMMAND"),
            conn.execute("EVALSHA", "0" * 40, 0),
            conn.execute("PING"),
            return_exceptions=True,
        )
        assert results[0] == results[3] == b"PONG"
        assert isinstance(results[1], ReplyError)
        assert isinstance(results[2], ReplyError) and str(results[2]).startswith("NOSCRIPT")
    finally:
        await conn.close()


async def test_tcp_url_with_password_and_database(server_tmp_path: Path) -> None:
    port = free_port()
    server = RedisProcess(server_tmp_path, "--port", str(port), "--requirepass", "s3cret")
    server.start()
    try:
        conn = Connection(f"redis://:s3cret@127.0.0.1:{port}/3")
        await conn.execute("SET", "where", "three")
        await conn.close()
        with redis.Redis(port=port, password="s3cret", db=3) as check:
            assert check.get("where") == b"three"
        wrong = Connection(f"redis://:wrong@127.0.0.1:{port}/0")
        with pytest.raises(ConnectionError, match="refused"):
            await wrong.execute("PING")
    finally:
        server.stop()


async def test_unix_url_with_database(own_redis: RedisProcess) -> None:
    conn = Connection(f"unix://{own_redis.socket}?db=2")
    try:
        await conn.execute("SET", "where", "two")
    finally:
        await conn.close()
    with redis.Redis(unix_socket_path=str(own_redis.socket), db=2) as check:
        assert check.get("where") == b"two"


async def test_requests_fail_while_redis_is_down_and_succeed_once_it_is_back(
    own_redis: RedisProcess,
) -> None:
    conn = Connection(own_redis.url)
    try:
        assert await conn.execute("PING") == b"PONG"
        own_redis.stop()
        with pytest.raises(OSError):
            await conn.execute("PING")
        with pytest.raises(OSError):
            await conn.execute("PING")
        own_redis.start()
        assert await conn.execute("PING") == b"PONG"
    finally:
        await conn.close()


async def test_a_silent_server_times_out(own_redis: RedisProcess) -> None:
    conn = Connection(own_redis.url, timeout=0.2)
    try:
        await conn.execute("PING")
        assert own_redis.process is not None
        own_redis.process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(TimeoutError):
                await conn.execute("PING")
        finally:
            own_redis.process.send_signal(signal.SIGCONT)
        assert await conn.execute("PING") == b"PONG"  # a new connection
    finally:
        await conn.close()
