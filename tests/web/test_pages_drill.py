"""The warm-up drill: content validated as data, pages in-process."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from coach.service import QUESTION_ORDER
from coach.web.drill import DrillItem, load_drill
from tests.web.pages_helpers import csrf, soup, text_of

DRILL = load_drill()


def test_drill_covers_the_five_questions_in_order() -> None:
    assert [i.question_id for i in DRILL.items] == list(QUESTION_ORDER)


def digits(text: str) -> int:
    return len(re.findall(r"\d", text))


@pytest.mark.parametrize("item", DRILL.items, ids=lambda i: i.question_id)
def test_best_option_is_the_only_one_with_numbers(item: DrillItem) -> None:
    best = item.option(item.best)
    assert best is not None
    assert all(digits(best.text) > digits(o.text) for o in item.options if o is not best)


def test_kv_figures_follow_the_facts_not_the_seed() -> None:
    """FACTS.md: Llama-3-70B with GQA is ~320 KiB/token; the seed's 2 MB/token is wrong."""
    kv = DRILL.item("kv-cache")
    assert kv is not None
    best = kv.option(kv.best)
    assert best is not None and "320 KiB" in best.text and "2 MB" not in best.text
    pd = DRILL.item("pd-disaggregation")
    assert pd is not None and "1.34 GB" in (pd.option(pd.best) or best).text


async def test_drill_index_shows_progress(client: AsyncClient) -> None:
    page = soup(await client.get("/drill"))
    assert text_of(page, "#drill-progress") == "0 / 5 completed"
    assert len(page.select(".drill-list li")) == 5


async def test_picking_an_answer_explains_the_best_one_and_counts_progress(
    client: AsyncClient,
) -> None:
    token = await csrf(client, "/drill/kv-cache")
    response = await client.post("/drill/kv-cache", data={"csrf": token, "choice": "A"})
    assert response.status_code == 303
    page = soup(await client.get(response.headers["location"].split("#")[0]))
    assert "the best answer is C" in text_of(page, "#verdict h2")
    assert page.select_one(".option.best")["data-letter"] == "C"  # type: ignore[index]
    assert page.select_one(".option.picked")["data-letter"] == "A"  # type: ignore[index]
    assert len(page.select(".falls-short")) == 3
    assert "320 KiB" in text_of(page, ".why-best")
    assert text_of(soup(await client.get("/drill")), "#drill-progress") == "1 / 5 completed"


async def test_no_choice_rerenders_with_a_message(client: AsyncClient) -> None:
    token = await csrf(client, "/drill/checkpointing")
    response = await client.post("/drill/checkpointing", data={"csrf": token})
    assert response.status_code == 422
    assert "Pick one" in text_of(soup(response), "[role=alert]")


async def test_unknown_drill_item_is_404(client: AsyncClient) -> None:
    assert (await client.get("/drill/nope")).status_code == 404
