"""Access control: every reviewer route, enumerated from app.routes, refuses strangers.

A route added later is walked automatically; the only routes exempt are the login form and its
POST, which must be reachable before logging in.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient, Response

from tests.review.conftest import Reviewers, log_in, page_csrf, seed

PUBLIC = {("GET", "/review/login"), ("POST", "/review/login")}
PARAM = re.compile(r"\{(\w+)\}")


def all_routes(app: FastAPI) -> list[tuple[str, set[str], str]]:
    """(path, methods, endpoint module) of every route, through included routers."""
    try:  # FastAPI >= 0.165 keeps included routers as lazy wrappers
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI flattens routes on include
        contexts = [r for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for context in contexts:
        endpoint = getattr(context, "endpoint", None)
        if context.path and context.methods:
            out.append((context.path, set(context.methods), getattr(endpoint, "__module__", "")))
    return out


def reviewer_routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for path, methods, module in all_routes(app):
        is_review = path.startswith(("/review", "/api/v1/review")) or "review" in module
        if not is_review:
            continue
        for method in sorted(methods - {"HEAD"}):
            if (method, path) not in PUBLIC:
                out.append((method, path))
    return out


def test_the_walk_covers_pages_and_api(app: FastAPI) -> None:
    routes = reviewer_routes(app)
    assert len(routes) >= 18
    assert any(p.startswith("/api/v1/review") for _, p in routes)
    assert ("POST", "/review/transcripts/{transcript_id}/criteria") in routes


def url_for(path: str, ids: dict[str, str]) -> str:
    return PARAM.sub(lambda m: ids.get(m.group(1), "1"), path)


def body_for(path: str, ids: dict[str, str], csrf: str | None) -> dict[str, Any]:
    if path.startswith("/api"):
        return {"json": {"attempt_id": ids["attempt_id"], "criterion_id": "paging", "met": True,
                         "reason": "r", "score": 50, "recommendation": "yes"}}  # fmt: skip
    data = {"attempt_id": ids["attempt_id"], "criterion_id": "paging", "verdict": "met",
            "reason": "r", "score": "50", "recommendation": "yes", "name": "t"}  # fmt: skip
    if csrf:
        data["csrf_token"] = csrf
    return {"data": data}


def refused(response: Response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and location.startswith("/review/login")


@pytest.fixture
async def targets(client: AsyncClient, reviewers: Reviewers) -> dict[str, Any]:
    seeded = await seed(client)
    attempt = await client.get(
        f"/api/v1/interviews/{seeded.interview['id']}",
        headers={"Authorization": f"Bearer {seeded.interview['token']}"},
    )
    assert attempt.status_code == 200
    # A reviewer who reviewed something (so review and token ids exist), then was disabled.
    reviewers.add("gone@example.com")
    token = reviewers.token("gone@example.com")
    await log_in(client, "gone@example.com")
    csrf = await page_csrf(client)
    tid = seeded.interview["id"]
    await client.post(
        f"/review/transcripts/{tid}/verdict",
        data={"csrf_token": csrf, "recommendation": "yes", "action": "submit"},
    )
    cookie = client.cookies.get("coach_review")
    reviewers.disable("gone@example.com")
    client.cookies.clear()
    return {
        "ids": {
            "transcript_id": tid,
            "attempt_id": seeded.standalone["attempt_id"],
            "review_id": "1",
            "token_id": "1",
        },  # fmt: skip
        "candidate_token": seeded.interview["token"],
        "disabled_cookie": cookie,
        "disabled_csrf": csrf,
        "disabled_token": token,
    }


@pytest.mark.parametrize("who", ["anonymous", "candidate", "disabled-reviewer"])
async def test_every_reviewer_route_refuses(
    app: FastAPI, client: AsyncClient, targets: dict[str, Any], who: str
) -> None:
    ids = targets["ids"]
    headers: dict[str, str] = {}
    csrf = None
    if who == "candidate":
        headers["Authorization"] = f"Bearer {targets['candidate_token']}"
        client.cookies.set("coach_review", targets["candidate_token"])
    elif who == "disabled-reviewer":
        client.cookies.set("coach_review", targets["disabled_cookie"])
        csrf = targets["disabled_csrf"]
    failures = []
    for method, path in reviewer_routes(app):
        if who == "disabled-reviewer" and path.startswith("/api"):
            headers = {"Authorization": f"Bearer {targets['disabled_token']}"}
        kwargs = body_for(path, ids, csrf) if method != "GET" else {}
        response = await client.request(method, url_for(path, ids), headers=headers, **kwargs)
        if not refused(response):
            failures.append(f"{method} {path} -> {response.status_code}")
    assert not failures, failures


async def test_an_active_reviewer_reaches_every_page(
    app: FastAPI, alice: AsyncClient, targets: dict[str, Any]
) -> None:
    """The control: the walk's URLs are real, so refusals above are not 404s in disguise."""
    await log_in(alice, "alice@example.com")
    ids = targets["ids"]
    for method, path in reviewer_routes(app):
        if method == "GET" and not path.startswith("/api"):
            response = await alice.get(url_for(path, ids))
            assert response.status_code in (200, 303), f"{path}: {response.status_code}"
            assert not response.headers.get("location", "").startswith("/review/login")


@pytest.mark.parametrize("csrf", [None, "0" * 64, "forged"], ids=["missing", "zeros", "forged"])
async def test_state_changing_forms_without_a_valid_csrf_token_are_refused(
    app: FastAPI, alice: AsyncClient, targets: dict[str, Any], csrf: str | None
) -> None:
    ids = targets["ids"]
    await log_in(alice, "alice@example.com")
    for method, path in reviewer_routes(app):
        if method == "GET" or path.startswith("/api"):
            continue
        response = await alice.post(url_for(path, ids), **body_for(path, ids, csrf))
        assert response.status_code == 403, f"{path}: {response.status_code}"
    # nothing happened: alice is still logged in and has no review and no token
    page = await alice.get(f"/review/transcripts/{ids['transcript_id']}")
    assert page.status_code == 200
    assert not BeautifulSoup(page.text, "html.parser").select("tr.audit-event")
    assert "No tokens yet." in (await alice.get("/review/tokens")).text


async def test_login_form_needs_csrf_too(client: AsyncClient, reviewers: Reviewers) -> None:
    reviewers.add("alice@example.com")
    response = await client.post(
        "/review/login", data={"email": "alice@example.com", "password": "x" * 20}
    )
    assert response.status_code == 403
    assert "coach_review=" not in response.headers.get("set-cookie", "")


async def test_a_reviewer_cannot_edit_another_reviewers_verdict(
    client: AsyncClient, reviewers: Reviewers
) -> None:
    seeded = await seed(client)
    tid = seeded.interview["id"]
    reviewers.add("bob@example.com")
    reviewers.add("alice@example.com")
    bob = {"Authorization": f"Bearer {reviewers.token('bob@example.com')}"}
    alice = {"Authorization": f"Bearer {reviewers.token('alice@example.com')}"}
    made = await client.post(
        f"/api/v1/review/transcripts/{tid}/verdict",
        json={"recommendation": "strong_no", "notes": "bob's", "submit": True},
        headers=bob,
    )
    assert made.status_code == 200, made.text
    bobs_review = made.json()["id"]
    patch = await client.patch(
        f"/api/v1/review/transcripts/{tid}/reviews/{bobs_review}",
        json={"recommendation": "strong_yes", "notes": "alice was here"},
        headers=alice,
    )
    assert patch.status_code == 403
    override = await client.post(
        f"/api/v1/review/transcripts/{tid}/score",
        json={"score": 99, "reason": "r", "review_id": bobs_review},
        headers=alice,
    )
    assert override.status_code == 403
    # the page form refuses a forged review_id as well
    await log_in(client, "alice@example.com")
    csrf = await page_csrf(client)
    form = await client.post(
        f"/review/transcripts/{tid}/verdict",
        data={"csrf_token": csrf, "recommendation": "yes", "review_id": str(bobs_review)},
    )
    assert form.status_code == 403
    view = await client.get(f"/api/v1/review/transcripts/{tid}", headers=bob)
    mine = view.json()["my_review"]
    assert (mine["recommendation"], mine["notes"], mine["adjusted_score"]) == (
        "strong_no",
        "bob's",
        None,
    )


async def test_candidate_token_opens_no_review_api(client: AsyncClient) -> None:
    seeded = await seed(client)
    response = await client.get(
        "/api/v1/review/transcripts",
        headers={"Authorization": f"Bearer {seeded.interview['token']}"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
