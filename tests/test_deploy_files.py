"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine); parse them and
check they describe what the README promises."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_the_app_with_optional_postgres_and_judge() -> None:
    services = compose()["services"]
    assert services["app"]["build"] == "."
    assert "profiles" not in services["app"]
    assert services["postgres"]["profiles"] == ["postgres"]
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["ollama"]["profiles"] == ["judge"]


def test_compose_volumes_are_declared_and_ports_bind_loopback() -> None:
    data = compose()
    declared = set(data["volumes"])
    for service in data["services"].values():
        for volume in service.get("volumes", []):
            name = volume.split(":")[0]
            assert name in declared, f"undeclared volume {name}"
    assert all(p.startswith("127.0.0.1:") for p in data["services"]["app"]["ports"])


def test_compose_environment_uses_coach_settings_names() -> None:
    from coach.config import Settings

    fields = {f"COACH_{name.upper()}" for name in Settings.model_fields}
    env = compose()["services"]["app"]["environment"]
    assert set(env) <= fields


def test_dockerfile_copies_what_the_app_needs_and_migrates_before_serving() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0].startswith("FROM python:3.11")
    copied = " ".join(line for line in lines if line.startswith("COPY"))
    for needed in ("pyproject.toml", "coach", "rubrics", "migrations", "alembic.ini"):
        assert needed in copied
        assert (ROOT / needed).exists()
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    # coach.storage.schema finds alembic.ini and migrations/ next to the package source.
    assert any("pip install -e ." in line for line in lines if line.startswith("RUN"))
    cmd = next(line for line in lines if line.startswith("CMD"))
    assert cmd.index("coach db upgrade") < cmd.index("coach serve")
