"""Exports: CSV and JSON Lines from the page, the API and `coach export`; spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json

import pytest
from httpx import AsyncClient

from coach.service.export import spreadsheet_safe
from tests.factories import API
from tests.review.conftest import Reviewers, log_in, page_csrf, seed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain text", "plain text"),
        ("a = b", "a = b"),
        (42.5, 42.5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


async def _hostile(client: AsyncClient) -> None:
    created = await client.post(
        f"{API}/interviews",
        json={"candidate_name": "=cmd|' /C calc'!A0", "candidate_email": "=1+2@example.com",
              "question_ids": ["kv-cache"]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    await client.post(f"{API}/attempts", json={"question_id": "kv-cache", "answer": "+SUM(1,2)"})


async def test_csv_export_neutralises_formulas(alice: AsyncClient) -> None:
    await seed(alice)
    await _hostile(alice)
    response = await alice.get("/review/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6  # 3 interview attempts + 2 standalone + 1 unanswered interview
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", value
    assert any(r["candidate_name"] == "'=cmd|' /C calc'!A0" for r in rows)
    assert any(r["answer"] == "'+SUM(1,2)" for r in rows)
    assert any(r["candidate_email"] == "'=1+2@example.com" for r in rows)


async def test_jsonl_export_has_grades_and_filters(alice: AsyncClient) -> None:
    await seed(alice)
    response = await alice.get("/review/export?format=jsonl&kind=interview")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == 1
    record = lines[0]
    assert record["candidate_name"] == "Ada Lovelace"
    assert [a["question_id"] for a in record["attempts"]].count("kv-cache") == 2
    assert record["attempts"][0]["grade"]["criteria"]


async def test_exports_respect_blind_review(client: AsyncClient, reviewers: Reviewers) -> None:
    seeded = await seed(client)
    reviewers.add("bob@example.com")
    bob = {"Authorization": f"Bearer {reviewers.token('bob@example.com')}"}
    tid = seeded.interview["id"]
    await client.post(
        f"{API}/review/transcripts/{tid}/verdict",
        json={"recommendation": "no", "notes": "=bob's notes", "submit": True},
        headers=bob,
    )
    reviewers.add("alice@example.com")
    alice = {"Authorization": f"Bearer {reviewers.token('alice@example.com')}"}

    async def reviews_seen() -> list[str]:
        response = await client.get(
            f"{API}/review/export?format=jsonl&kind=interview", headers=alice
        )
        return [r["reviewer"] for r in json.loads(response.text.splitlines()[0])["reviews"]]

    assert await reviews_seen() == []
    await client.post(
        f"{API}/review/transcripts/{tid}/verdict",
        json={"recommendation": "yes", "submit": True},
        headers=alice,
    )
    assert sorted(await reviews_seen()) == ["alice@example.com", "bob@example.com"]
    csv_text = (await client.get(f"{API}/review/export?format=csv", headers=alice)).text
    notes = {r["notes"] for r in csv.DictReader(io.StringIO(csv_text)) if r["notes"]}
    assert notes == {"bob@example.com: =bob's notes"}


async def test_export_from_the_page_needs_login(client: AsyncClient) -> None:
    response = await client.get("/review/export?format=csv")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/review/login")


async def test_export_link_keeps_the_filters(alice: AsyncClient) -> None:
    await seed(alice)
    await page_csrf(alice)
    page = await alice.get("/review/transcripts?band=weak&sort=score_asc")
    assert 'href="/review/export?band=weak&amp;format=csv"' in page.text
    await log_in(alice, "alice@example.com")
