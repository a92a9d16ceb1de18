"""The real thing: `coach serve` in its own process, talking HTTP on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from coach.storage.models import Attempt, Interview
from tests.conftest import FIXTURE_RUBRICS
from tests.factories import API, KV_STRONG, auth

STARTUP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def coach_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COACH_DATABASE_URL": database_url,
        "COACH_RUBRICS_DIR": str(FIXTURE_RUBRICS),
    }


@pytest.fixture
def server(migrated_url: str, tmp_path: Path) -> Iterator[str]:
    yield from serve(migrated_url, tmp_path)


@pytest.fixture
def two_workers(migrated_url: str, tmp_path: Path) -> Iterator[str]:
    yield from serve(migrated_url, tmp_path, "--workers", "2", COACH_SECRET_KEY="s" * 32)


def serve(database_url: str, tmp_path: Path, *options: str, **env: str) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--port", str(port), "--no-access-log", *options],
        env={**coach_env(database_url), **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail((tmp_path / "server.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_real_server_runs_a_mock_interview(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        created = client.post(f"{API}/interviews", json={"question_ids": ["kv-cache"]})
        assert created.status_code == 201
        interview = created.json()
        headers = auth(interview["token"])
        answered = client.post(
            f"{API}/interviews/{interview['id']}/answers",
            json={"question_id": "kv-cache", "answer": KV_STRONG},
            headers=headers,
        )
        assert answered.status_code == 201
        assert answered.json()["progress"] == "1 / 1 answered"
        assert client.post(f"{API}/interviews/{interview['id']}/finish", headers=headers).is_success
        report = client.get(f"{API}/interviews/{interview['id']}/report", headers=headers)
        assert report.json()["questions"][0]["best_score"] == answered.json()["grade"]["score"]
        oversized = client.post(
            f"{API}/grade", content=b"x" * 1_000_000, headers={"content-type": "application/json"}
        )
        assert oversized.status_code == 413


def test_serve_refuses_a_database_whose_schema_is_behind(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coach", "serve", "--port", str(free_port())],
        env=coach_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "coach db upgrade" in result.stderr
    assert "but the code needs" in result.stderr


def test_two_workers_store_every_answer_once(two_workers: str, engine: Engine) -> None:
    """Two processes share the port and the database; answers on many connections all land."""
    with httpx.Client(base_url=two_workers, timeout=10) as client:
        interview = client.post(f"{API}/interviews", json={"question_ids": ["kv-cache"]}).json()
    headers = auth(interview["token"])

    def answer(n: int) -> str:
        # A client of its own per answer: a new connection, so both workers take some.
        with httpx.Client(base_url=two_workers, timeout=30) as client:
            response = client.post(
                f"{API}/interviews/{interview['id']}/answers",
                json={"question_id": "kv-cache", "answer": f"{KV_STRONG} ({n})"},
                headers=headers,
            )
        assert response.status_code == 201, response.text
        return str(response.json()["attempt_id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        acknowledged = set(pool.map(answer, range(40)))
    with Session(engine) as session:
        stored = session.exec(select(Attempt.id)).all()
        tallied = session.get(Interview, uuid.UUID(interview["id"]))
    assert {str(key) for key in stored} == acknowledged and len(acknowledged) == 40
    assert tallied is not None and tallied.answered["kv-cache"]["attempts"] == 40


def test_serve_with_workers_needs_a_secret_key(migrated_url: str) -> None:
    env = {k: v for k, v in coach_env(migrated_url).items() if k != "COACH_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "coach", "serve", "--port", str(free_port()), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,  # no .env from the project folder
    )
    assert result.returncode == 1
    assert "COACH_SECRET_KEY" in result.stderr


def test_serve_with_workers_names_a_port_that_is_taken(migrated_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "coach", "serve", "--port", str(port), "--workers", "2"],
            env={**coach_env(migrated_url), "COACH_SECRET_KEY": "s" * 32},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
