"""The catalog of api functions, read from pg_catalog: what a route may call, with which
arguments of which types, and the one statement that calls it.

A body value is checked against its argument's type before SQL sees it: jsonb_to_record would
turn any JSON value into text (an object, a number). Values that arrive as text (query
parameters, path segments, headers) are strings whatever their type; SQL converts or refuses
them (422).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import asyncpg

from api.common.errors import Problem
from api.request.db import away

CATALOG = """
select p.proname as name,
       p.provolatile::text as volatility,
       p.prorettype = 'pg_catalog.void'::pg_catalog.regtype as returns_void,
       pg_catalog.format_type(p.prorettype, null) as return_type,
       coalesce(p.proargnames[1:p.pronargs], '{}') as arg_names,
       array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes) t) as arg_types,
       p.pronargs - p.pronargdefaults as required,
       pg_catalog.has_function_privilege('anon', p.oid, 'execute') as anon,
       d.description as comment
from pg_catalog.pg_proc p
left join pg_catalog.pg_description d
  on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_proc'::regclass
where p.pronamespace = 'api'::regnamespace and p.prokind = 'f'
order by p.proname
"""


@dataclass(frozen=True)
class Function:
    name: str
    volatility: str
    returns_void: bool
    return_type: str
    arg_names: tuple[str, ...]
    arg_types: tuple[str, ...]
    required: int
    anon: bool
    comment: str | None

    @property
    def read_only(self) -> bool:
        return self.volatility in ("s", "i")

    def sql(self, keys: frozenset[str]) -> str:
        """The call for this set of named arguments, reading them from $1 (jsonb)."""
        cols = [(n, t) for n, t in zip(self.arg_names, self.arg_types, strict=True) if n in keys]
        named = ", ".join(f"{_q(n)} => r.{_q(n)}" for n, _ in cols)
        call = f"api.{_q(self.name)}({named})::text"
        if not cols:
            return f"select {call}"
        record = ", ".join(f"{_q(n)} {t}" for n, t in cols)
        return f"select {call} from pg_catalog.jsonb_to_record($1) as r({record})"


class Catalog:
    """The api schema's functions, read from pg_proc; one SQL text cached per argument set."""

    RELOAD_AFTER = 10.0  # seconds; unknown names must not turn into a query each

    def __init__(self, functions: dict[str, Function]) -> None:
        self.functions = functions
        self._sql: dict[tuple[str, frozenset[str]], str] = {}
        self.loaded_at = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self.loaded_at > self.RELOAD_AFTER

    @classmethod
    async def load(cls, conn: asyncpg.Connection | asyncpg.Pool) -> Catalog:
        with away():
            rows = await conn.fetch(CATALOG)
        return cls(
            {
                r["name"]: Function(
                    name=r["name"],
                    volatility=r["volatility"],
                    returns_void=r["returns_void"],
                    return_type=r["return_type"],
                    arg_names=tuple(r["arg_names"]),
                    arg_types=tuple(r["arg_types"]),
                    required=r["required"],
                    anon=r["anon"],
                    comment=r["comment"],
                )
                for r in rows
            }
        )

    def prepare(
        self,
        name: str,
        args: dict[str, Any],
        *,
        anon: bool,
        text: Collection[str] = (),
    ) -> tuple[Function, str]:
        """text: the arguments that came as text (query, path, header), strings of any type."""
        fn = self.functions.get(name)
        if fn is None:
            raise Problem(404, "not_found", "No such function.")
        if anon and not fn.anon:
            # Say "log in" before judging the body, as the database would for anon.
            raise Problem(401, "unauthorized", "This needs an access token.")
        keys = frozenset(args)
        unknown = sorted(keys.difference(fn.arg_names))
        if unknown:
            raise Problem(422, "unknown_field", "Unknown field: " + ", ".join(unknown) + ".")
        missing = [n for n in fn.arg_names[: fn.required] if args.get(n) is None]
        if missing:
            raise Problem(422, "validation_failed", "Missing field: " + ", ".join(missing) + ".")
        for arg, sql_type in zip(fn.arg_names, fn.arg_types, strict=True):
            value = args.get(arg)
            if value is None or (arg in text and isinstance(value, str)):
                continue
            if not fits(sql_type, value):
                raise Problem(422, "validation_failed", f"{arg} must be {kind(sql_type)}.")
        sql = self._sql.get((name, keys))
        if sql is None:
            sql = self._sql[(name, keys)] = fn.sql(keys)
        return fn, sql


# The JSON Schema of each SQL argument type the api functions take, in one place: the catalog
# checks body values against it (`kind`, `fits`) and the OpenAPI document shows it
# (api.contract.shapes). Other types (enums, intervals ...) are strings SQL converts from text.
ARGUMENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "extensions.citext": {"type": "string"},
    "integer": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
    "smallint": {"type": "integer", "minimum": -(2**15), "maximum": 2**15 - 1},
    "bigint": {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
    "numeric": {"type": "number"},
    "real": {"type": "number"},
    "double precision": {"type": "number"},
    "boolean": {"type": "boolean"},
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "timestamp with time zone": {"type": "string", "format": "date-time"},
    "json": {},
    "jsonb": {},
}
KINDS = {"integer": "a number", "number": "a number", "boolean": "true or false"}


def argument_schema(sql_type: str) -> dict[str, Any]:
    if sql_type.endswith("[]"):
        return {"type": "array", "items": argument_schema(sql_type[:-2])}
    return dict(ARGUMENT_SCHEMAS.get(sql_type, {"type": "string"}))


def kind(sql_type: str) -> str:
    """The JSON kind a body value must have for an argument of this SQL type."""
    json_type = argument_schema(sql_type).get("type")
    if json_type is None:
        return "JSON"
    if json_type == "array":
        return "a list"
    return KINDS.get(json_type, "a string")


def fits(sql_type: str, value: Any) -> bool:
    expected = kind(sql_type)
    if expected == "a list":
        return isinstance(value, list) and all(fits(sql_type[:-2], v) for v in value)
    if expected == "a number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "true or false":
        return isinstance(value, bool)
    return expected == "JSON" or isinstance(value, str)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
