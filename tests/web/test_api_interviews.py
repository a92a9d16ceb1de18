"""Mock interviews over the API: the whole flow, access control, closing rules, the report."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from coach.storage.models import Attempt, Interview
from tests.conftest import Clock
from tests.factories import API, CHECKPOINT_ANSWER, KV_STRONG, KV_WEAK, answer, auth, open_interview


def count_attempts(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Attempt)).one()


async def test_interview_flow_answers_progress_finish_report(client: AsyncClient) -> None:
    interview = await open_interview(client, candidate_name="Ada")
    assert interview["progress"] == "0 / 2 answered"
    assert interview["current_question"]["id"] == "checkpointing"
    assert "model_answer" not in str(interview)

    first = await answer(client, interview, "checkpointing", CHECKPOINT_ANSWER)
    assert first.status_code == 201
    receipt = first.json()
    assert receipt["attempt_number"] == 1 and receipt["progress"] == "1 / 2 answered"
    assert receipt["grade"]["question"] == "checkpointing"

    status = await client.get(
        f"{API}/interviews/{interview['id']}", headers=auth(interview["token"])
    )
    assert status.json()["state"] == "open"
    assert status.json()["current_question"]["id"] == "kv-cache"

    weak = await answer(client, interview, "kv-cache", KV_WEAK)
    strong = await answer(client, interview, "kv-cache", KV_STRONG)
    assert strong.json()["attempt_number"] == 2
    assert weak.json()["attempt_id"] != strong.json()["attempt_id"]

    finished = await client.post(
        f"{API}/interviews/{interview['id']}/finish", headers=auth(interview["token"])
    )
    assert finished.json()["state"] == "finished"
    assert finished.json()["progress"] == "2 / 2 answered"

    report = await client.get(
        f"{API}/interviews/{interview['id']}/report", headers=auth(interview["token"])
    )
    assert report.status_code == 200
    body = report.json()
    kv = next(q for q in body["questions"] if q["question_id"] == "kv-cache")
    assert kv["attempts"] == 2
    assert kv["best_score"] == strong.json()["grade"]["score"]
    assert kv["latest_attempt_id"] == strong.json()["attempt_id"]
    assert kv["model_answer"].startswith("Use paged attention")
    assert [h["id"] for h in body["habits"]] == [
        "numbers",
        "intra-vs-inter-node",
        "memory-sizing",
        "failure-modes",
    ]
    assert len(body["work_on"]) <= 3


async def test_report_names_missed_habits_and_top_three_things_to_work_on(
    client: AsyncClient,
) -> None:
    interview = await open_interview(client, question_ids=["kv-cache", "checkpointing"])
    await answer(client, interview, "kv-cache", KV_WEAK)
    await answer(client, interview, "checkpointing", "We save a checkpoint to disk sometimes.")
    await client.post(
        f"{API}/interviews/{interview['id']}/finish", headers=auth(interview["token"])
    )
    body = (
        await client.get(
            f"{API}/interviews/{interview['id']}/report", headers=auth(interview["token"])
        )
    ).json()
    habits = {h["id"]: h for h in body["habits"]}
    assert habits["memory-sizing"]["shown"] is False
    assert habits["intra-vs-inter-node"]["shown"] is None  # no question assesses it
    assert len(body["work_on"]) == 3
    assert body["work_on"][0]["points_missed"] >= body["work_on"][-1]["points_missed"]
    assert all(item["feedback"] for item in body["work_on"])


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Basic dXNlcjpwdw=="}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
    ],
    ids=["missing", "empty-bearer", "basic-auth", "wrong-token"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", "/finish"), ("get", "/report"), ("post", "/answers")],
)
async def test_interview_calls_need_the_interview_token(
    client: AsyncClient, headers: dict[str, str], status: int, method: str, path: str
) -> None:
    interview = await open_interview(client)
    kwargs: dict[str, Any] = {"headers": headers}
    if path == "/answers":
        kwargs["json"] = {"question_id": "kv-cache", "answer": KV_STRONG}
    response = await client.request(method, f"{API}/interviews/{interview['id']}{path}", **kwargs)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_interview_and_wrong_token_look_the_same(client: AsyncClient) -> None:
    interview = await open_interview(client)
    other = await open_interview(client)
    wrong_token = await client.get(
        f"{API}/interviews/{interview['id']}", headers=auth(other["token"])
    )
    unknown_id = str(uuid.uuid4())
    unknown = await client.get(f"{API}/interviews/{unknown_id}", headers=auth(other["token"]))
    malformed = await client.get(f"{API}/interviews/not-a-uuid", headers=auth(other["token"]))
    assert wrong_token.status_code == unknown.status_code == malformed.status_code == 403
    messages = [r.json()["error"]["message"] for r in (wrong_token, unknown, malformed)]
    assert messages[0].replace(interview["id"], "X") == messages[1].replace(unknown_id, "X")
    assert messages[2].replace("not-a-uuid", "X") == messages[1].replace(unknown_id, "X")


async def test_answer_after_finish_is_409_and_nothing_is_stored(
    client: AsyncClient, engine: Engine
) -> None:
    interview = await open_interview(client)
    await client.post(
        f"{API}/interviews/{interview['id']}/finish", headers=auth(interview["token"])
    )
    response = await answer(client, interview, "kv-cache", KV_STRONG)
    assert response.status_code == 409
    assert "finished" in response.json()["error"]["message"]
    assert count_attempts(engine) == 0


async def test_answer_after_the_time_limit_is_409_naming_the_limit(
    client: AsyncClient, clock: Clock, engine: Engine
) -> None:
    interview = await open_interview(client, time_limit_minutes=30)
    assert (await answer(client, interview, "kv-cache", KV_WEAK)).status_code == 201
    clock.advance(minutes=31)
    response = await answer(client, interview, "kv-cache", KV_STRONG)
    assert response.status_code == 409
    assert "30-minute time limit" in response.json()["error"]["message"]
    assert count_attempts(engine) == 1
    status = await client.get(
        f"{API}/interviews/{interview['id']}", headers=auth(interview["token"])
    )
    assert status.json()["state"] == "expired"
    report = await client.get(
        f"{API}/interviews/{interview['id']}/report", headers=auth(interview["token"])
    )
    assert report.status_code == 200  # time ran out: the report is open


async def test_report_before_finish_is_409_and_hides_model_answers(client: AsyncClient) -> None:
    interview = await open_interview(client)
    response = await client.get(
        f"{API}/interviews/{interview['id']}/report", headers=auth(interview["token"])
    )
    assert response.status_code == 409
    assert "/finish" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"question_id": "kv-cache", "answer": ""}, 422, "empty_answer"),
        ({"question_id": "kv-cache", "answer": "y" * 20_001}, 413, "answer_too_long"),
        ({"question_id": "kv-cache", "answer": None}, 422, "invalid_request"),
        ({"question_id": "gpu-cluster-networking", "answer": "x y"}, 404, "unknown_question"),
        (
            {"question_id": "kv-cache", "answer": "x", "started_at": "yesterday"},
            422,
            "invalid_request",
        ),
    ],
    ids=["empty", "too-long", "null", "not-in-interview", "bad-started-at"],
)
async def test_bad_answers_are_refused_and_nothing_is_written(
    client: AsyncClient, engine: Engine, payload: dict[str, Any], status: int, code: str
) -> None:
    interview = await open_interview(client, question_ids=["kv-cache"])
    response = await client.post(
        f"{API}/interviews/{interview['id']}/answers",
        json=payload,
        headers=auth(interview["token"]),
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert count_attempts(engine) == 0


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"question_ids": ["kv-cache", "nope"]}, "Valid question ids"),
        ({"time_limit_minutes": 0}, "time_limit_minutes"),
        ({"candidate_email": "not-an-email"}, "candidate_email"),
        ({"question_ids": []}, "question_ids"),
    ],
)
async def test_open_interview_rejects_bad_options(
    client: AsyncClient, engine: Engine, payload: dict[str, Any], says: str
) -> None:
    response = await client.post(f"{API}/interviews", json=payload)
    assert response.status_code in (404, 422)
    assert says in response.json()["error"]["message"]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Interview)).one() == 0


async def test_stored_attempt_keeps_everything_needed_to_reproduce_it(
    client: AsyncClient, engine: Engine, clock: Clock
) -> None:
    interview = await open_interview(client)
    clock.advance(seconds=90)
    receipt = (await answer(client, interview, "kv-cache", KV_STRONG + "  \n")).json()
    with Session(engine) as session:
        attempt = session.get(Attempt, uuid.UUID(receipt["attempt_id"]))
        assert attempt is not None
        stored_interview = session.get(Interview, uuid.UUID(interview["id"]))
        assert stored_interview is not None
        assert stored_interview.token_hash != interview["token"]  # only the hash is kept
    assert attempt.answer == KV_STRONG + "  \n"
    assert attempt.client == "api"
    assert attempt.interview_id == uuid.UUID(interview["id"])
    assert attempt.grade == receipt["grade"]
    assert attempt.rubric_version == receipt["grade"]["rubric_version"]
    assert attempt.submitted_at.tzinfo is not None
    assert attempt.time_taken_s == pytest.approx(90, abs=1)
