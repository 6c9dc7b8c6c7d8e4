"""Which error codes each api function can answer, read from the SQL source in the catalog.

A function's codes are the `errcode = 'PTnnn', message = '<code>'` raises and the
`private.error(nnn, '<code>', ...)` answers in its own source, in every function it calls
(followed by schema-qualified name), and in the triggers of the tables it writes. Built-in
SQLSTATEs add what api/common/errors.py maps them to: a write can conflict (409), any value can fail
to convert (422). The scan is generous rather than exact: a code listed is one that can occur.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import asyncpg

SCHEMAS = ("api", "private", "auth", "app", "audit", "gdpr", "outbox")
SOURCES = """
select n.nspname || '.' || p.proname as name, p.prosrc as source
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = any($1::text[])
"""
TRIGGERS = """
select c.relnamespace::regnamespace::text || '.' || c.relname as tbl,
       n.nspname || '.' || p.proname as function
from pg_catalog.pg_trigger t
join pg_catalog.pg_class c on c.oid = t.tgrelid
join pg_catalog.pg_proc p on p.oid = t.tgfoid
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where not t.tgisinternal
"""
RAISE_RE = re.compile(
    r"errcode\s*=\s*'PT(\d{3})'\s*,\s*message\s*=\s*'([a-z][a-z0-9_]*)'", re.IGNORECASE
)
ANSWER_RE = re.compile(r"private\.error\(\s*(\d{3})\s*,\s*'([a-z][a-z0-9_]*)'", re.IGNORECASE)
CALL_RE = re.compile(r"\b(" + "|".join(SCHEMAS) + r")\.([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE)
WRITE_RE = re.compile(
    r"\b(?:insert\s+into|update|delete\s+from)\s+(" + "|".join(SCHEMAS) + r")\.([a-z_0-9]+)",
    re.IGNORECASE,
)

Codes = dict[int, set[str]]


class ErrorCodes:
    """Function sources and table triggers; `of(name)` gives {status: codes} of api.<name>."""

    def __init__(self, sources: dict[str, list[str]], triggers: dict[str, list[str]]) -> None:
        self.sources = sources
        self.triggers = triggers
        self._cache: dict[str, Codes] = {}

    @classmethod
    async def load(cls, conn: asyncpg.Connection | asyncpg.Pool) -> ErrorCodes:
        sources: dict[str, list[str]] = {}
        for row in await conn.fetch(SOURCES, list(SCHEMAS)):
            sources.setdefault(row["name"], []).append(row["source"] or "")
        triggers: dict[str, list[str]] = {}
        for row in await conn.fetch(TRIGGERS):
            triggers.setdefault(row["tbl"], []).append(row["function"])
        return cls(sources, triggers)

    def reachable(self, name: str) -> Iterable[str]:
        """Sources of api.<name> and of every function or trigger it may reach."""
        seen: set[str] = set()
        todo = [f"api.{name}"]
        while todo:
            fn = todo.pop()
            if fn in seen or fn not in self.sources:
                continue
            seen.add(fn)
            for source in self.sources[fn]:
                yield source
                todo.extend(f"{s}.{n}".lower() for s, n in CALL_RE.findall(source))
                for s, table in WRITE_RE.findall(source):
                    todo.extend(self.triggers.get(f"{s}.{table}".lower(), []))

    def of(self, name: str) -> Codes:
        if name in self._cache:
            return self._cache[name]
        codes: Codes = {}
        writes = False
        for source in self.reachable(name):
            for status, code in [*RAISE_RE.findall(source), *ANSWER_RE.findall(source)]:
                codes.setdefault(int(status), set()).add(code)
            writes = writes or bool(WRITE_RE.search(source))
        codes.setdefault(422, set()).add("validation_failed")
        if writes:
            codes.setdefault(409, set()).add("conflict")
        self._cache[name] = codes
        return codes
