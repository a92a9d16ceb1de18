"""GET /attempts/{id}: who may read an attempt, and when the model answer shows."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import API, KV_STRONG, answer, auth, open_interview


async def test_standalone_attempt_is_stored_and_read_back_with_its_own_token(
    client: AsyncClient,
) -> None:
    created = await client.post(
        f"{API}/attempts", json={"question_id": "kv-cache", "answer": KV_STRONG}
    )
    assert created.status_code == 201
    receipt = created.json()
    assert receipt["token"]
    response = await client.get(
        f"{API}/attempts/{receipt['attempt_id']}", headers=auth(receipt["token"])
    )
    assert response.status_code == 200
    body = response.json()
    assert body["answer"] == KV_STRONG
    assert body["grade"] == receipt["grade"]
    assert body["model_answer"]  # practice: revealed once answered
    assert body["history"] == []


async def test_interview_attempt_opens_with_the_interview_token_and_hides_model_answer(
    client: AsyncClient,
) -> None:
    interview = await open_interview(client)
    receipt = (await answer(client, interview, "kv-cache", KV_STRONG)).json()
    assert receipt["token"] is None
    url = f"{API}/attempts/{receipt['attempt_id']}"
    during = await client.get(url, headers=auth(interview["token"]))
    assert during.status_code == 200
    assert during.json()["model_answer"] is None  # a retry must not copy it
    await client.post(
        f"{API}/interviews/{interview['id']}/finish", headers=auth(interview["token"])
    )
    after = await client.get(url, headers=auth(interview["token"]))
    assert after.json()["model_answer"]


@pytest.mark.parametrize("who", ["other-interview", "other-attempt", "garbage"])
async def test_attempt_with_a_token_that_does_not_open_it_is_403(
    client: AsyncClient, who: str
) -> None:
    interview = await open_interview(client)
    receipt = (await answer(client, interview, "kv-cache", KV_STRONG)).json()
    other_interview = await open_interview(client)
    other_attempt = (
        await client.post(f"{API}/attempts", json={"question_id": "kv-cache", "answer": "a b"})
    ).json()
    token = {
        "other-interview": other_interview["token"],
        "other-attempt": other_attempt["token"],
        "garbage": "garbage",
    }[who]
    response = await client.get(f"{API}/attempts/{receipt['attempt_id']}", headers=auth(token))
    assert response.status_code == 403
    unknown = await client.get(
        f"{API}/attempts/00000000-0000-0000-0000-000000000000", headers=auth(token)
    )
    assert unknown.status_code == 403


async def test_attempt_without_token_is_401(client: AsyncClient) -> None:
    response = await client.get(f"{API}/attempts/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 401
