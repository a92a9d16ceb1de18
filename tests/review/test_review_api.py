"""The reviewer API: the same list, transcript, review and export, by API token."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.conftest import Clock
from tests.factories import API
from tests.review.conftest import Reviewers, seed


@pytest.fixture
def token(reviewers: Reviewers) -> dict[str, str]:
    reviewers.add("api@example.com")
    return {"Authorization": f"Bearer {reviewers.token('api@example.com')}"}


async def test_list_filters_and_paginates(client: AsyncClient, token: dict[str, str]) -> None:
    await seed(client)
    listed = await client.get(f"{API}/review/transcripts?per_page=1&sort=score_desc", headers=token)
    assert listed.status_code == 200
    body = listed.json()
    assert (body["total"], body["pages"], len(body["rows"])) == (2, 2, 1)
    flagged = await client.get(f"{API}/review/transcripts?band=weak", headers=token)
    assert [r["kind"] for r in flagged.json()["rows"]] == ["attempt"]
    bad = await client.get(f"{API}/review/transcripts?score_min=500", headers=token)
    assert bad.status_code == 422


async def test_override_adjust_submit_and_audit(
    client: AsyncClient, token: dict[str, str], clock: Clock
) -> None:
    seeded = await seed(client, clock=clock)
    tid = seeded.interview["id"]
    view = (await client.get(f"{API}/review/transcripts/{tid}", headers=token)).json()
    attempt = view["questions"][0]["attempts"][-1]
    criterion = attempt["criteria"][0]
    assert attempt["spans"], "evidence offsets for highlighting"
    missing = await client.post(
        f"{API}/review/transcripts/{tid}/criteria",
        json={"attempt_id": attempt["id"], "criterion_id": criterion["id"], "met": False,
              "reason": ""},
        headers=token,
    )  # fmt: skip
    assert missing.status_code == 422
    done = await client.post(
        f"{API}/review/transcripts/{tid}/criteria",
        json={"attempt_id": attempt["id"], "criterion_id": criterion["id"],
              "met": not criterion["coach_met"], "reason": "disagree"},
        headers=token,
    )  # fmt: skip
    assert done.status_code == 200, done.text
    unknown = await client.post(
        f"{API}/review/transcripts/{tid}/criteria",
        json={"attempt_id": attempt["id"], "criterion_id": "nope", "met": True, "reason": "x"},
        headers=token,
    )
    assert unknown.status_code == 404
    verdict = await client.post(
        f"{API}/review/transcripts/{tid}/verdict",
        json={"recommendation": "strong_yes", "notes": "great", "submit": True},
        headers=token,
    )
    assert verdict.json()["submitted_at"]
    view = (await client.get(f"{API}/review/transcripts/{tid}", headers=token)).json()
    after = view["questions"][0]["attempts"][-1]
    assert after["score"] == attempt["score"]  # the coach's grade is kept
    assert after["criteria"][0]["override_met"] is (not criterion["coach_met"])
    assert after["reviewed_score"] != attempt["score"]
    assert [e["entity"] for e in view["audit"]][1:] == ["recommendation", "notes", "submitted"]
    assert view["audit"][0]["before"] == {"met": criterion["coach_met"]}
    assert view["row"]["agreement"]["reviews"] == 1


async def test_unknown_transcript_is_404(client: AsyncClient, token: dict[str, str]) -> None:
    for tid in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = await client.get(f"{API}/review/transcripts/{tid}", headers=token)
        assert response.status_code == 404


async def test_api_ignores_the_browser_session(alice: AsyncClient) -> None:
    """A logged-in browser has no API access: cross-site requests cannot ride on the cookie."""
    response = await alice.get(f"{API}/review/transcripts")
    assert response.status_code == 401
