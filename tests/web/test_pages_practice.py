"""Candidate pages in-process: home, practise one question, its result, retries."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.conftest import Clock
from tests.factories import KV_STRONG, KV_WEAK
from tests.web.pages_helpers import csrf, practise, soup, text_of

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'


async def test_home_shows_habits_questions_and_this_browsers_progress(
    client: AsyncClient,
) -> None:
    page = soup(await client.get("/"))
    assert len(page.select(".habit-list li")) == 4
    assert {li["data-habit"] for li in page.select(".habit-list li")} == {
        "numbers", "intra-vs-inter-node", "memory-sizing", "failure-modes"
    }  # fmt: skip
    cards = page.select(".question-card")
    assert [c["data-question"] for c in cards] == ["checkpointing", "kv-cache"]
    assert text_of(page, "[data-question=kv-cache] .minutes") == "5 minutes suggested"
    assert text_of(page, "#progress").startswith("0 / 2 completed")
    assert page.select_one("form[action$='/interviews'] input[name=csrf]") is not None


async def test_home_cookie_is_httponly_and_samesite_lax(client: AsyncClient) -> None:
    response = await client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("coach_browser=")
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_answer_form_has_labelled_textarea_timer_and_word_count(client: AsyncClient) -> None:
    page = soup(await client.get("/questions/kv-cache"))
    area = page.select_one("textarea#answer[name=answer]")
    assert area is not None
    assert page.select_one("label[for=answer]") is not None
    assert page.select_one(".timer")["data-minutes"] == "5"  # type: ignore[index]
    assert page.select_one("form.answer-form")["data-draft-key"] == "practise:kv-cache"  # type: ignore[index]
    assert page.select_one("#word-count") is not None


async def test_practise_redirects_to_a_result_with_score_bars_and_highlights(
    client: AsyncClient,
) -> None:
    response = await practise(client, "kv-cache", KV_STRONG)
    assert response.status_code == 303
    page = soup(await client.get(response.headers["location"]))
    assert int(text_of(page, ".score-value")) > 0
    assert page.select_one(".band") is not None
    assert len(page.select(".dimensions .bar")) == 4
    assert len(page.select(".dimensions svg title")) == 4
    marks = page.select(".answer-text mark.evidence")
    assert marks
    met = {li["data-criterion"] for li in page.select(".criteria-met li.criterion")}
    for mark in marks:
        assert set(str(mark["data-criterion"]).split()) <= met
    for ref in page.select(".answer-text a.ref-criterion"):
        assert page.select_one(str(ref["href"])) is not None
    assert "paged attention" in text_of(page, ".model-answer-text").lower()
    assert text_of(page, ".why-strong")


async def test_highlighted_answer_reads_exactly_as_typed(client: AsyncClient) -> None:
    response = await practise(client, "kv-cache", KV_STRONG)
    page = soup(await client.get(response.headers["location"]))
    shown = page.select_one(".answer-text")
    assert shown is not None
    for ref in shown.select("a.ref"):
        ref.decompose()
    assert shown.get_text() == KV_STRONG


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ("   \n  ", 422, "The answer is empty"),
        ("paged attention " * 1500, 413, "the limit is 20,000"),
    ],
    ids=["empty", "too-long"],
)
async def test_invalid_answer_rerenders_the_form_with_the_text_intact(
    client: AsyncClient, answer: str, status: int, message: str
) -> None:
    response = await practise(client, "kv-cache", answer)
    assert response.status_code == status
    page = soup(response)
    assert message in text_of(page, "[role=alert]")
    area = page.select_one("textarea#answer")
    assert area is not None and area["aria-invalid"] == "true"
    assert area.get_text() == answer.replace("\r\n", "\n")


async def test_unknown_question_is_a_404_page(client: AsyncClient) -> None:
    response = await client.get("/questions/no-such-question")
    assert response.status_code == 404
    page = soup(response)
    assert "no-such-question" in text_of(page, ".message")
    assert page.select_one("a[href='/']") is not None


async def test_post_without_the_form_token_is_refused(client: AsyncClient) -> None:
    await client.get("/")
    response = await client.post("/questions/kv-cache", data={"answer": KV_STRONG})
    assert response.status_code == 403
    assert "security token" in text_of(soup(response), ".message")


async def test_form_token_from_another_browser_is_refused(client: AsyncClient, app: object) -> None:
    token = await csrf(client)
    client.cookies.clear()
    await client.get("/")  # a new browser key
    response = await client.post("/questions/kv-cache", data={"csrf": token, "answer": KV_STRONG})
    assert response.status_code == 403


async def test_hostile_answer_is_escaped_and_still_highlighted(client: AsyncClient) -> None:
    response = await practise(client, "kv-cache", f"{HOSTILE}\n{KV_STRONG}\n{HOSTILE}")
    page = soup(await client.get(response.headers["location"]))
    shown = page.select_one(".answer-text")
    assert shown is not None
    assert not shown.select("script, img")
    assert "<script>alert(1)</script>" in shown.get_text()
    assert '"><img src=x onerror=alert(1)>' in shown.get_text()
    assert shown.select("mark.evidence")


async def test_result_is_private_to_the_browser_that_answered(client: AsyncClient) -> None:
    location = (await practise(client, "kv-cache", KV_STRONG)).headers["location"]
    client.cookies.clear()
    response = await client.get(location)
    assert response.status_code == 403


async def test_retry_shows_the_score_delta_and_newly_met_criteria(
    client: AsyncClient, clock: Clock
) -> None:
    await practise(client, "kv-cache", KV_WEAK)
    clock.advance(minutes=3)
    location = (await practise(client, "kv-cache", KV_STRONG)).headers["location"]
    page = soup(await client.get(location))
    assert "attempt 2" in text_of(page, ".eyebrow")
    assert text_of(page, ".change .delta").startswith("Up ")
    assert page.select(".newly-met li")
    assert text_of(page, "a.button.primary") == "Try again"


async def test_home_counts_completed_questions_and_best_scores(
    client: AsyncClient, clock: Clock
) -> None:
    await practise(client, "kv-cache", KV_STRONG)
    clock.advance(minutes=1)
    await practise(client, "kv-cache", KV_WEAK)
    page = soup(await client.get("/"))
    assert text_of(page, "#progress").startswith("1 / 2 completed")
    best = int(text_of(page, "[data-question=kv-cache] .best-score"))
    assert best > 30
    assert "2 attempts" in text_of(page, "[data-question=kv-cache] .standing")
    assert page.select_one("[data-question=checkpointing] .best-score") is None
