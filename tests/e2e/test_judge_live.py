"""End to end with a real judge server: an OpenAI-compatible endpoint on loopback, a real
`coach serve` configured to use it, and the opinion arriving beside the grade."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from .conftest import LiveServer, _free_port, serve_coach

ANSWER = (
    "Inside each node the eight H100 GPUs talk over NVLink through NVSwitch at 900 GB/s per "
    "GPU, so tensor parallelism stays inside the node. Between nodes we use NDR InfiniBand at "
    "400 Gb/s with one HCA per GPU and GPUDirect RDMA, wired as a rail-optimized fat tree."
)


def fake_judge(calls: list[dict[str, Any]]) -> FastAPI:
    """Says every criterion is met, quoting the answer's first sentence."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> dict[str, Any]:
        body = await request.json()
        calls.append(body)
        user = body["messages"][1]["content"]
        ids = [c["id"] for c in json.loads(user.split("Criteria (JSON):\n")[1].split("\n\n")[0])]
        answer = re.search(r"<candidate_answer>\n(.*?)\n</candidate_answer>", user, re.S)
        quote = answer.group(1).split(".")[0] if answer else ""
        content = {"criteria": [{"id": i, "met": True, "quote": quote} for i in ids]}
        return {"choices": [{"message": {"role": "assistant", "content": json.dumps(content)}}]}

    return app


@pytest.fixture(scope="module")
def judge_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    calls: list[dict[str, Any]] = []
    port = _free_port()
    config = uvicorn.Config(fake_judge(calls), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "fake judge did not start"
    yield f"http://127.0.0.1:{port}/v1", calls
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def coach_with_judge(
    tmp_path_factory: pytest.TempPathFactory, judge_server: tuple[str, list[dict[str, Any]]]
) -> Iterator[LiveServer]:
    base_url, _ = judge_server
    tmp: Path = tmp_path_factory.mktemp("judged")
    with serve_coach(tmp, COACH_JUDGE_BASE_URL=base_url, COACH_JUDGE_MODEL="fake-judge") as live:
        yield live


def test_the_judge_opinion_arrives_beside_the_unchanged_grade(
    coach_with_judge: LiveServer, judge_server: tuple[str, list[dict[str, Any]]]
) -> None:
    _, calls = judge_server
    api = f"{coach_with_judge.url}/api/v1"
    created = httpx.post(
        f"{api}/attempts",
        json={"question_id": "gpu-cluster-networking", "answer": ANSWER},
        timeout=30,
    )
    assert created.status_code in (200, 201), created.text
    receipt = created.json()
    headers = {"Authorization": f"Bearer {receipt['token']}"}
    deadline = time.monotonic() + 60
    while True:
        attempt = httpx.get(f"{api}/attempts/{receipt['attempt_id']}", headers=headers).json()
        if attempt["judge"] and attempt["judge"]["status"] == "done":
            break
        assert time.monotonic() < deadline, f"judge never finished: {attempt['judge']}"
        time.sleep(0.2)
    judge = attempt["judge"]
    assert judge["model"] == "fake-judge"
    assert {v["status"] for v in judge["verdicts"]} == {"pass"}
    missed = {c["id"] for c in attempt["grade"]["criteria"] if not c["met"]}
    assert set(judge["disagreements"]) == missed
    assert attempt["score"] == receipt["grade"]["score"]  # the judge never changes the score
    assert len(calls) == 1 and calls[0]["model"] == "fake-judge"
