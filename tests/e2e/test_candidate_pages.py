"""The candidate's experience in real headless Chromium against a real server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from coach.config import PROJECT_ROOT
from coach.scoring import load_rubrics
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e
RUBRICS = load_rubrics(PROJECT_ROOT / "rubrics")
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'


def example(question_id: str, example_id: str = "excellent") -> str:
    return next(e.answer for e in RUBRICS[question_id].examples if e.id == example_id)


def weaker(question_id: str) -> str:
    """A middling answer: the first half of the excellent one."""
    words = example(question_id).split()
    return " ".join(words[: len(words) // 3])


def submit_answer(page: Any, text: str) -> None:
    page.fill("#answer", text)
    page.click("form.answer-form button[type=submit]")


def test_practise_one_question_end_to_end(
    live_server: LiveServer, page: Any, artifacts: Path
) -> None:
    page.goto(live_server.url + "/")
    assert page.inner_text("#progress").startswith("0 / 5 completed")
    page.click("[data-question=kv-cache] a.button")
    assert page.inner_text("h1") == RUBRICS["kv-cache"].title
    submit_answer(page, weaker("kv-cache"))
    page.wait_for_url(re.compile(r"/attempts/"))
    first = int(page.inner_text(".score-value"))

    page.click("text=Try again")
    submit_answer(page, example("kv-cache"))
    page.wait_for_url(re.compile(r"/attempts/"))
    assert int(page.inner_text(".score-value")) > first
    assert "since your previous attempt" in page.inner_text(".change")
    assert page.locator(".newly-met li").count() >= 1
    assert page.locator(".bars .bar").count() == len(RUBRICS["kv-cache"].dimensions)
    assert page.locator(".answer-text mark.evidence").count() >= 3
    assert page.locator(".model-answer-text").is_visible()
    page.screenshot(path=str(artifacts / "result.png"), full_page=True)

    best = page.inner_text(".score-value")
    page.goto(live_server.url + "/")
    assert page.inner_text("#progress").startswith("1 / 5 completed")
    assert page.inner_text("[data-question=kv-cache] .best-score") == best


def test_full_mock_interview_ends_in_a_summary_only_its_token_opens(
    live_server: LiveServer, page: Any, artifacts: Path
) -> None:
    page.goto(live_server.url + "/")
    page.click("text=Start a timed mock interview")
    for number in range(1, len(RUBRICS) + 1):
        assert page.inner_text(".eyebrow").startswith(f"Mock interview · question {number} / 5")
        current = page.get_attribute("article.answer-page", "data-question")
        assert current is not None
        submit_answer(page, example(current) if number % 2 else weaker(current))
    page.wait_for_url(re.compile(r"/summary$"))
    assert page.locator("table.scores tbody tr").count() == 5
    assert page.locator(".habits-chart .bar").count() == 4
    assert 1 <= page.locator(".work-on li").count() <= 3
    page.screenshot(path=str(artifacts / "summary.png"), full_page=True)
    summary_url = page.url

    page.click("table.scores tbody tr:first-child a")
    assert page.locator(".score-value").is_visible()
    assert page.locator(".model-answer-text").is_visible()

    forged = re.sub(r"/interviews/([^/]+)/[^/]+/summary", r"/interviews/\1/wrong-token/summary",
                    summary_url)  # fmt: skip
    response = page.goto(forged)
    assert response is not None and response.status == 403


def test_draft_survives_reload_and_back_button(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/questions/checkpointing")
    page.fill("#answer", "Shard the checkpoint per rank and commit with an atomic rename.")
    page.reload()
    assert page.input_value("#answer").startswith("Shard the checkpoint per rank")
    assert page.locator(".draft-restored").is_visible()
    page.goto(live_server.url + "/drill")
    page.go_back()
    assert page.input_value("#answer").startswith("Shard the checkpoint per rank")
    assert page.inner_text("#word-count .words") == "11"


def test_warm_up_drill_explains_the_best_answer(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/drill")
    assert page.inner_text("#drill-progress") == "0 / 5 completed"
    page.click("text=Start")
    page.check("#choice-A")
    page.click("text=Check my choice")
    verdict = page.inner_text("#verdict")
    assert "best answer is B" in verdict
    assert "900 GB/s" in page.inner_text(".why-best")
    assert page.locator(".option.best").get_attribute("data-letter") == "B"
    assert page.locator(".falls-short").count() == 3
    assert page.inner_text("#drill-progress") == "1 / 5 completed"


def test_hostile_answer_is_shown_as_text_with_highlights(
    live_server: LiveServer, page: Any, dialogs: list[str]
) -> None:
    page.goto(live_server.url + "/questions/kv-cache")
    answer = f"{HOSTILE}\n\n{example('kv-cache')}\n\n{HOSTILE}"
    submit_answer(page, answer)
    page.wait_for_url(re.compile(r"/attempts/"))
    shown = page.inner_text(".answer-text")
    assert "<script>alert(1)</script>" in shown
    assert '"><img src=x onerror=alert(1)>' in shown
    assert page.locator(".answer-text img, .answer-text script").count() == 0
    assert page.locator(".answer-text mark.evidence").count() >= 3
    page.wait_for_timeout(300)
    assert dialogs == []


def test_keyboard_only_submission(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url + "/questions/checkpointing")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "answer":
            break
    else:
        pytest.fail("Tab never reached the answer field")
    page.keyboard.type("Each rank writes its shard; commit with an atomic rename.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Submit answer"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/"))
    assert page.locator(".score-value").is_visible()


def test_result_page_fits_a_phone_screen(live_server: LiveServer, page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/questions/kv-cache")
    submit_answer(page, example("kv-cache"))
    page.wait_for_url(re.compile(r"/attempts/"))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
