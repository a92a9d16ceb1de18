"""The real thing: `coach serve` in its own process, talking HTTP on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--port", str(port), "--no-access-log"],
        env=coach_env(migrated_url),
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
