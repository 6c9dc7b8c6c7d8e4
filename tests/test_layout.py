"""The folders are the architecture: each package of `api` imports only the packages its
docstring allows, and no two modules import each other, directly or around a circle.

The table below is the one in api/__init__.py; a new import that crosses it fails here with the
module and the line, so the picture in the docs stays true.

The tests mirror the code: the tests of api/edge/hosts.py are in tests/api/edge/test_hosts.py.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {"api", "api.app", "api.asgi", "api.cli", "api.worker"}
ALLOWED = {
    "api.common": {"api.common"},
    "api.request": {"api.common", "api.request", "jwks"},
    "api.edge": {"api.common", "api.request", "api.edge", "jwks"},
    "api.live": {"api.common", "api.request", "api.live", "jwks"},
    "api.outbox": {"api.common", "api.outbox"},
    "api.contract": {"api.common", "api.request", "api.contract", "jwks"},
    "api.ops": {"api.common", "api.request", "api.ops", "jwks"},
    "api.web": {"api.common", "api.web"},
    "jwks": {"jwks"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {module_name(p): p for d in ("api", "jwks") for p in (ROOT / d).rglob("*.py")}
    assert len(found) > 40, found  # the walk saw the tree, so the checks below mean something
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every first-party module `name` imports (at any depth of the file), with the line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from api.request import db` imports the module api.request.db
            targets = [f"{node.module}.{a.name}" for a in node.names]
            targets = [t if t in known else node.module for t in targets]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in ("api", "jwks") and target != name:
                yield target, node.lineno


def package(name: str) -> str:
    if name in ENTRY_POINTS:
        return name
    return ".".join(name.split(".")[:2]) if name.startswith("api.") else "jwks"


def test_each_package_imports_only_what_its_docstring_allows() -> None:
    known = modules()
    crossing = []
    for name, path in sorted(known.items()):
        if name in ENTRY_POINTS:
            continue
        allowed = ALLOWED[package(name)]
        for target, line in imports(name, path, known):
            if package(target) not in allowed and target != "api":
                crossing.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert crossing == []


def test_jwks_package_does_not_import_api() -> None:
    code = "import sys, jwks; assert not [m for m in sys.modules if m.split('.')[0] == 'api']"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_the_package_docstrings_name_the_same_allowances() -> None:
    for pkg, allowed in ALLOWED.items():
        init = ROOT / pkg.replace(".", "/") / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import:" in doc, pkg
        said = doc.split("May import:")[1]
        for other in allowed - {pkg}:
            assert f"`{other}`" in said, (pkg, other)


def test_no_module_is_part_of_an_import_circle() -> None:
    known = modules()
    graph = {
        name: {t for t, _ in imports(name, path, known) if t in known}
        for name, path in known.items()
    }
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in done:
                visit(nxt, [*trail, nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert circles == []


def mirror_test(path: Path) -> Path:
    """api/edge/hosts.py -> tests/api/edge/test_hosts.py; api/app.py -> tests/api/test_app.py."""
    relative = path.relative_to(ROOT)
    return ROOT / "tests" / relative.parent / f"test_{relative.name}"


def test_every_module_has_its_test_file_in_the_mirror() -> None:
    missing = [
        f"{path.relative_to(ROOT)} -> {mirror_test(path).relative_to(ROOT)}"
        for name, path in sorted(modules().items())
        if path.name != "__init__.py" and not mirror_test(path).is_file()
    ]
    assert missing == []


def test_no_test_folder_is_a_package_that_could_shadow_the_code() -> None:
    # tests/api/__init__.py would make `api` resolve to the tests; only the helpers are a package.
    packages = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("__init__.py"))
    assert packages == ["tests/support/__init__.py"]
