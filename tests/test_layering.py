"""The seams: web/cli -> service -> scoring/judge/storage; scoring stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coach"
WEB_DB_HTTP = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "httpx", "uvicorn", "jinja2")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(subpackage: str) -> list[Path]:
    root = PACKAGE / subpackage
    return sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]


@pytest.mark.parametrize("path", modules("scoring"), ids=lambda p: p.name)
def test_scoring_imports_no_web_db_or_http(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in WEB_DB_HTTP}
    inner = ("coach.web", "coach.storage", "coach.service", "coach.judge")
    bad |= {n for n in imports_of(path) if n.startswith(inner)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules("scoring"), ids=lambda p: p.name)
def test_scoring_reads_no_clock_or_environment(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for forbidden in ("datetime.now", "time.time(", "os.environ", "getenv", "random."):
        assert forbidden not in source, f"{path.name} uses {forbidden}"


@pytest.mark.parametrize("sub", ["storage", "judge"])
def test_lower_layers_do_not_import_service_or_web(sub: str) -> None:
    for path in modules(sub):
        if not path.exists():
            continue
        bad = {n for n in imports_of(path) if n.startswith(("coach.web", "coach.service",
                                                             "coach.cli"))}  # fmt: skip
        assert not bad, f"{path} imports {sorted(bad)}"


def test_web_and_cli_do_not_touch_storage_directly() -> None:
    for path in [*modules("web"), PACKAGE / "cli.py"]:
        if not path.exists():
            continue
        bad = {n for n in imports_of(path) if n.startswith("coach.storage.")
               and not n.endswith((".models", ".tables"))}  # fmt: skip
        assert not bad, f"{path} reaches into storage: {sorted(bad)}"


def test_judge_client_is_the_only_outbound_http() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "judge":
            continue
        assert "httpx" not in {n.split(".")[0] for n in imports_of(path)}, path
