"""The shape every SQL function header shares (STYLE rule 4), checked on the code files as written.

One attribute per line, in this order: returns, language, volatility, security, search_path
(always `set search_path = pg_catalog, pg_temp`, never `= ''`, which searches pg_temp first).
pg_dump drops defaults such as `security invoker`, so the catalog cannot show what this checks.
Every `security definer` function says why it must be one (STYLE rule 5): its COMMENT ON, which
`\\df+` shows, carries a sentence `Definer: <reason>`. Every file opens with a comment (rule 2).
"""

from __future__ import annotations

import re

from api.common.settings import ROOT

# The code files, and the bootstrap the runner runs before the migrations (no function in it yet).
CODE = [*sorted((ROOT / "sql" / "code").glob("*.sql")), ROOT / "sql" / "bootstrap.sql"]
FUNCTION = re.compile(
    r"^create or replace function (?P<name>[\w.]+)\((?P<args>.*?)\)\n"
    r"(?P<header>.*?)^(?:as \$\$|return |begin atomic)",
    re.S | re.M,
)
COMMENT = re.compile(
    r"^comment on function (?P<name>[\w.]+)\(.*?\) is\s+'(?P<text>(?:''|[^'])*)';", re.S | re.M
)
DEFINER_REASON = re.compile(r"\bDefiner: \S")
ORDER = ["returns", "language", "volatility", "security", "search_path"]


def attribute(line: str) -> str:
    word = line.split()[0] if line.split() else ""
    if line in ("immutable", "stable", "volatile"):
        return "volatility"
    if line == "set search_path = pg_catalog, pg_temp":
        return "search_path"  # pg_temp last: see sql/code/00-grants.sql
    if word in ("returns", "language", "security"):
        return word
    if word in ("parallel", "strict", "leakproof", "cost", "rows", "set"):
        return "optional"
    return "continued"  # the columns of a multi-line `returns table (...)`


def headers() -> list[tuple[str, list[str], bool]]:
    found = []
    for path in CODE:
        for match in FUNCTION.finditer(path.read_text()):
            lines = [line.strip() for line in match["header"].splitlines() if line.strip()]
            kinds = [attribute(line) for line in lines]
            found.append((f"{path.name}: {match['name']}", kinds, " out " in f" {match['args']}"))
    return found


def test_every_code_file_defines_functions_the_checker_can_read() -> None:
    assert len(headers()) > 100


def test_every_file_opens_with_a_comment() -> None:
    assert [path.name for path in CODE if not path.read_text().startswith("-- ")] == []


def test_every_function_header_has_its_attributes_in_order() -> None:
    wrong = []
    for name, kinds, has_out_params in headers():
        required = ORDER[1:] if has_out_params and "returns" not in kinds else ORDER
        if [k for k in kinds if k in ORDER] != required:
            wrong.append(f"{name}: {kinds}")
    assert wrong == []


def definers() -> list[tuple[str, str]]:
    """(where, comment) of every `security definer` function in sql/code; comment is the text of
    the `comment on function` that follows its definition, or "" when there is none."""
    found = []
    for path in CODE:
        text = path.read_text()
        for match in FUNCTION.finditer(text):
            if "security definer" not in (line.strip() for line in match["header"].splitlines()):
                continue
            comment = COMMENT.search(text, match.end())
            same = comment is not None and comment["name"] == match["name"]
            found.append((f"{path.name}: {match['name']}", comment["text"] if same else ""))
    return found


def test_every_security_definer_function_says_why_it_must_be_one() -> None:
    found = definers()
    assert len(found) > 50, "the checker must see the definer functions"
    assert [where for where, comment in found if not DEFINER_REASON.search(comment)] == []
