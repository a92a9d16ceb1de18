"""The mock interview pages in-process: questions in turn, then a token-only summary."""

from __future__ import annotations

import re

from httpx import AsyncClient

from tests.factories import CHECKPOINT_ANSWER, KV_WEAK
from tests.web.pages_helpers import csrf, soup, text_of

ANSWERS = {"kv-cache": KV_WEAK, "checkpointing": CHECKPOINT_ANSWER}


async def start(client: AsyncClient) -> str:
    response = await client.post("/interviews", data={"csrf": await csrf(client)})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.search(r"/interviews/[0-9a-f-]{36}/[\w-]{40,}$", location)
    return location


async def answer_current(client: AsyncClient, location: str, text: str | None = None) -> str:
    page = soup(await client.get(location))
    question_id = str(page.select_one("input[name=question_id]")["value"])  # type: ignore[index]
    action = str(page.select_one("form.answer-form")["action"])  # type: ignore[index]
    token = str(page.select_one("input[name=csrf]")["value"])  # type: ignore[index]
    data = {"csrf": token, "question_id": question_id, "answer": text or ANSWERS[question_id]}
    response = await client.post(action, data=data)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


async def test_questions_come_one_after_another_then_the_summary(client: AsyncClient) -> None:
    location = await start(client)
    page = soup(await client.get(location))
    assert text_of(page, ".eyebrow").startswith("Mock interview · question 1 / 2")
    assert page.select_one(".finish-form button") is not None
    after_first = await answer_current(client, location)
    assert after_first.endswith(location.split("http://coach.test")[-1])
    page = soup(await client.get(after_first))
    assert text_of(page, ".eyebrow").startswith("Mock interview · question 2 / 2")
    summary_url = await answer_current(client, after_first)
    assert summary_url.endswith("/summary")

    summary = soup(await client.get(summary_url))
    rows = summary.select("table.scores tbody tr")
    assert [r["data-question"] for r in rows] == ["checkpointing", "kv-cache"]
    assert len(summary.select(".habits-chart .bar")) == 4
    assert 1 <= len(summary.select(".work-on li")) <= 3
    link = summary.select_one("table.scores tbody tr a")
    assert link is not None
    result = soup(await client.get(str(link["href"])))
    assert result.select_one(".score-value") is not None
    assert result.select_one(".model-answer-text") is not None


async def test_summary_needs_the_interviews_token(client: AsyncClient) -> None:
    location = await start(client)
    await client.post(location + "/finish", data={"csrf": await csrf(client)})
    forged = re.sub(r"/[\w-]+$", "/not-the-token", location) + "/summary"
    response = await client.get(forged)
    assert response.status_code == 403
    assert soup(response).select_one(".message") is not None


async def test_finishing_early_counts_unanswered_questions_as_not_answered(
    client: AsyncClient,
) -> None:
    location = await start(client)
    await answer_current(client, location)
    response = await client.post(location + "/finish", data={"csrf": await csrf(client)})
    summary = soup(await client.get(response.headers["location"]))
    scores = [text_of(summary, f"tr[data-question={q}] .q-score") for q in ANSWERS]
    assert "not answered" in scores


async def test_empty_interview_answer_rerenders_the_same_question(client: AsyncClient) -> None:
    location = await start(client)
    page = soup(await client.get(location))
    action = str(page.select_one("form.answer-form")["action"])  # type: ignore[index]
    question_id = str(page.select_one("input[name=question_id]")["value"])  # type: ignore[index]
    data = {"csrf": await csrf(client), "question_id": question_id, "answer": " "}
    response = await client.post(action, data=data)
    assert response.status_code == 422
    again = soup(response)
    assert "empty" in text_of(again, "[role=alert]")
    assert again.select_one("input[name=question_id]")["value"] == question_id  # type: ignore[index]


async def test_open_interview_summary_goes_back_to_the_current_question(
    client: AsyncClient,
) -> None:
    location = await start(client)
    response = await client.get(location + "/summary")
    assert response.status_code == 303
    assert response.headers["location"].endswith(location.split("http://coach.test")[-1])
