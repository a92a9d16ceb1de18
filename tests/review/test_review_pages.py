"""Reviewer pages: log in, list and filter, read a transcript, override with a reason, verdicts."""

from __future__ import annotations

import uuid

import pytest
from bs4 import BeautifulSoup
from httpx import AsyncClient
from sqlalchemy import Engine
from sqlmodel import Session

from coach.storage.judging import JobStatus, enqueue_judge_job, finish_judge_job
from tests.conftest import Clock
from tests.review.conftest import Reviewers, log_in, page_csrf, seed


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


async def test_login_sets_a_hardened_session_cookie(
    client: AsyncClient, reviewers: Reviewers
) -> None:
    reviewers.add("alice@example.com")
    response = await log_in(client, "Alice@Example.com")
    assert response.status_code == 303
    assert response.headers["location"] == "/review/transcripts"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("coach_review=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets Secure


async def test_login_over_https_marks_the_cookie_secure(app, reviewers: Reviewers) -> None:  # type: ignore[no-untyped-def]
    from httpx import ASGITransport

    reviewers.add("alice@example.com")
    async with AsyncClient(transport=ASGITransport(app), base_url="https://coach.test") as client:
        response = await log_in(client, "alice@example.com")
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("coach_review=")
    )
    assert "Secure" in cookie


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@example.com", "wrong password!!"),
        ("nobody@example.com", "correct horse battery staple"),
    ],
    ids=["wrong-password", "unknown-account"],
)
async def test_failed_login_says_the_same_thing_either_way(
    client: AsyncClient, reviewers: Reviewers, email: str, password: str
) -> None:
    reviewers.add("alice@example.com")
    response = await log_in(client, email, password)
    assert response.status_code == 401
    assert soup(response.text).select_one(".error").get_text() == "Wrong email or password."
    assert "coach_review=" not in response.headers.get("set-cookie", "")


async def test_logout_ends_the_session(alice: AsyncClient) -> None:
    csrf = await page_csrf(alice)
    stolen = alice.cookies.get("coach_review")
    response = await alice.post("/review/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    alice.cookies.set("coach_review", stolen or "")
    again = await alice.get("/review/transcripts")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/review/login")


async def test_list_shows_interviews_and_standalone_attempts(alice: AsyncClient) -> None:
    await seed(alice, name="Ada <script>alert(1)</script>")
    page = soup((await alice.get("/review/transcripts")).text)
    rows = page.select("tr.transcript")
    assert len(rows) == 2
    assert {r.select("td")[1].get_text() for r in rows} == {"interview", "attempt"}
    assert page.select_one(".total").get_text() == "2"
    assert "<script>alert(1)</script>" not in str(page)  # escaped, shown as text
    assert any("Ada <script>" in a.get_text() for a in page.select("a.open"))


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("", {"interview", "attempt"}),
        ("kind=interview", {"interview"}),
        ("candidate=LOVELACE", {"interview"}),
        ("candidate=nobody", set()),
        ("question=checkpointing", {"interview"}),
        ("band=weak", {"attempt"}),
        ("score_max=20", {"attempt"}),
        ("status=unreviewed", {"interview", "attempt"}),
        ("status=reviewed", set()),
        ("since=2000-01-01", {"interview", "attempt"}),
        ("until=2000-01-01", set()),
    ],
)
async def test_list_filters(alice: AsyncClient, query: str, kinds: set[str]) -> None:
    await seed(alice)
    page = soup((await alice.get(f"/review/transcripts?{query}")).text)
    assert {r.select("td")[1].get_text() for r in page.select("tr.transcript")} == kinds


async def test_list_sorts_by_score(alice: AsyncClient) -> None:
    await seed(alice)
    for sort, descending in (("score_desc", True), ("score_asc", False)):
        page = soup((await alice.get(f"/review/transcripts?sort={sort}")).text)
        scores = [float(td.get_text()) for td in page.select("tr.transcript td.score")]
        assert scores == sorted(scores, reverse=descending)


async def test_list_paginates(alice: AsyncClient) -> None:
    await seed(alice)
    first = soup((await alice.get("/review/transcripts?per_page=1")).text)
    assert len(first.select("tr.transcript")) == 1
    assert "page 1 of 2" in first.select_one(".summary").get_text()
    next_link = first.select_one("a[rel=next]")["href"]
    second = soup((await alice.get(next_link)).text)
    assert len(second.select("tr.transcript")) == 1
    assert (
        second.select_one("tr.transcript")["data-id"]
        != first.select_one("tr.transcript")["data-id"]
    )


async def test_transcript_shows_answers_evidence_retries_and_time(
    alice: AsyncClient, clock: Clock
) -> None:
    seeded = await seed(alice, clock=clock)
    page = soup((await alice.get(f"/review/transcripts/{seeded.interview['id']}")).text)
    assert page.select_one("h1.candidate").get_text() == "Ada Lovelace <ada@example.com>"
    kv = page.select_one('section[data-question="kv-cache"]')
    attempts = kv.select("article.attempt")
    assert len(attempts) == 2
    assert "retry 1" in attempts[1].select_one("h3").get_text()
    assert attempts[1].select("mark.ev-criterion")
    assert attempts[1].select_one(".time-taken").get_text().endswith(" s")
    assert page.select_one(".coach-recommendation").get_text()


async def test_override_needs_a_reason_and_is_audited(alice: AsyncClient, clock: Clock) -> None:
    seeded = await seed(alice, clock=clock)
    url = f"/review/transcripts/{seeded.interview['id']}"
    page = soup((await alice.get(url)).text)
    row = page.select('section[data-question="kv-cache"] article.attempt')[1].select_one(
        "tr.criterion"
    )
    form = {i["name"]: i.get("value", "") for i in row.select("form input[type=hidden]")}
    coach_met = row.select_one(".coach-verdict").get_text().startswith("met")
    verdict = "not_met" if coach_met else "met"
    refused = await alice.post(f"{url}/criteria", data={**form, "verdict": verdict, "reason": " "})
    assert refused.status_code == 422
    assert "reason" in soup(refused.text).select_one(".message").get_text()
    done = await alice.post(
        f"{url}/criteria", data={**form, "verdict": verdict, "reason": "Evidence is <b>weak</b>"}
    )
    assert done.status_code == 303
    page = soup((await alice.get(url)).text)
    overridden = page.select_one(f"tr#criterion-{form['attempt_id']}-{form['criterion_id']}")
    assert "overridden" in overridden["class"]
    event = page.select_one("tr.audit-event")
    assert event.select_one(".who").get_text() == "alice@example.com"
    assert event.select_one(".reason").get_text() == "Evidence is <b>weak</b>"
    assert form["criterion_id"] in event.select_one(".entity").get_text()
    assert event.select_one(".before").get_text() != event.select_one(".after").get_text()
    # the coach's grade is kept: the score shown for the attempt is unchanged
    assert (
        page.select_one(".coach-score")
        .get_text()
        .startswith(soup((await alice.get(url)).text).select_one(".coach-score").get_text()[:4])
    )


async def test_adjusting_the_total_changes_only_the_reviewers_total(alice: AsyncClient) -> None:
    seeded = await seed(alice)
    url = f"/review/transcripts/{seeded.interview['id']}"
    before = soup((await alice.get(url)).text).select_one(".coach-score").get_text()
    csrf = await page_csrf(alice, url)
    response = await alice.post(
        f"{url}/score", data={"csrf_token": csrf, "score": "72.5", "reason": "Strong on sizing"}
    )
    assert response.status_code == 303
    page = soup((await alice.get(url)).text)
    assert page.select_one(".reviewed-score").get_text() == "72.5"
    assert page.select_one(".coach-score").get_text() == before
    assert page.select_one("tr.audit-event .entity").get_text() == "score"


async def test_blind_review_hides_others_until_you_submit(
    client: AsyncClient, reviewers: Reviewers
) -> None:
    seeded = await seed(client)
    url = f"/review/transcripts/{seeded.standalone['attempt_id']}"
    for email, recommendation in (("bob@example.com", "strong_no"), ("alice@example.com", "yes")):
        reviewers.add(email)
        client.cookies.clear()
        await log_in(client, email)
        csrf = await page_csrf(client, url)
        if email == "alice@example.com":
            page = soup((await client.get(url)).text)
            assert page.select_one(".blind-notice").get_text().startswith("1 other verdict")
            assert not page.select(".other-reviews .review")
            assert "strong no" not in page.select_one(".audit").get_text()
            listed = soup((await client.get("/review/transcripts")).text)
            assert listed.select_one("td.agreement .blind")
        response = await client.post(
            f"{url}/verdict",
            data={"csrf_token": csrf, "recommendation": recommendation, "notes": "ok",
                  "action": "submit"},
        )  # fmt: skip
        assert response.status_code == 303
    page = soup((await client.get(url)).text)
    others = page.select(".other-reviews .review")
    assert [o["data-reviewer"] for o in others] == ["bob@example.com"]
    assert others[0].select_one(".recommendation").get_text() == "strong no"
    listed = soup((await client.get("/review/transcripts?status=mine")).text)
    assert len(listed.select("tr.transcript")) == 1
    agreement = listed.select_one("td.agreement").get_text()
    assert "reviewers split" in agreement
    assert "1/2 agree with coach" in agreement  # the coach says weak -> strong no, as bob


async def test_hiding_candidate_identity(alice: AsyncClient) -> None:
    seeded = await seed(alice)
    csrf = await page_csrf(alice)
    response = await alice.post(
        "/review/preferences",
        data={"csrf_token": csrf, "hide_candidate": "true", "next": "/review/transcripts"},
    )
    assert response.status_code == 303
    listed = (await alice.get("/review/transcripts")).text
    page = (await alice.get(f"/review/transcripts/{seeded.interview['id']}")).text
    for html in (listed, page):
        assert "Lovelace" not in html
        assert "ada@example.com" not in html
    assert soup(page).select_one("h1.candidate").get_text().startswith("Candidate ")


async def test_api_tokens_are_shown_once_and_revocable(alice: AsyncClient) -> None:
    csrf = await page_csrf(alice, "/review/tokens")
    created = await alice.post("/review/tokens", data={"csrf_token": csrf, "name": "ATS <sync>"})
    assert created.status_code == 201
    page = soup(created.text)
    token = page.select_one(".secret").get_text()
    assert token.startswith("coach_rt_")
    listed = await alice.get(
        "/api/v1/review/transcripts", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.status_code == 200
    token_id = page.select_one("tr.token")["data-id"]
    assert token not in (await alice.get("/review/tokens")).text
    revoked = await alice.post(f"/review/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    refused = await alice.get(
        "/api/v1/review/transcripts", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401


async def test_blank_filter_fields_mean_any(alice: AsyncClient) -> None:
    """Regression: the browser sends every empty filter as "" (score_min=&since=), which was a
    422 instead of "any" until the e2e test submitted the real form."""
    await seed(alice)
    response = await alice.get(
        "/review/transcripts?candidate=&question=&score_min=&score_max=&band=&flag=&status="
        "&since=&until=&sort=date_desc"
    )
    assert response.status_code == 200
    assert len(soup(response.text).select("tr.transcript")) == 2


async def test_judge_verdicts_appear_beside_the_coachs(
    alice: AsyncClient, engine: Engine, clock: Clock
) -> None:
    seeded = await seed(alice, clock=clock)
    attempt_id = uuid.UUID(seeded.standalone["attempt_id"])
    with Session(engine) as session, session.begin():
        job = enqueue_judge_job(session=session, attempt_id=attempt_id, now=clock.now)
        assert job.id is not None
        result = {"model": "test-judge", "verdicts": [
            {"id": "paging", "status": "fail", "reason": "No <b>paging</b> here"}]}  # fmt: skip
        finish_judge_job(
            session=session, job_id=job.id, status=JobStatus.DONE, result=result,
            rubric_version=None, error="", now=clock.now,
        )  # fmt: skip
    page = soup((await alice.get(f"/review/transcripts/{attempt_id}")).text)
    assert "test-judge" in page.select_one(".judge-summary").get_text()
    cell = page.select_one('tr[data-criterion="paging"] td.judge')
    assert cell.select_one(".judge-status").get_text() == "fail"
    assert "No <b>paging</b> here" in cell.get_text()
