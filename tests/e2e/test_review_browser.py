"""Reviewer flow in headless Chromium against a real server: log in, filter, open a transcript,
override a criterion with a reason, see the audit entry, export."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from coach import service
from coach.service import accounts
from tests.e2e.conftest import LiveServer
from tests.factories import KV_STRONG

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> dict[str, Any]:
    engine = service.connect(live_server.database_url)
    try:
        with service.open_session(engine) as session:
            accounts.add_reviewer(
                session=session, email="rita@example.com", password=PASSWORD, now=service.utcnow()
            )
    finally:
        engine.dispose()
    api = f"{live_server.url}/api/v1"
    made = {}
    for name in ("Grace Hopper", "Alan Turing"):
        interview = httpx.post(
            f"{api}/interviews",
            json={"candidate_name": name, "question_ids": ["kv-cache"]},
            timeout=30,
        ).json()
        answered = httpx.post(
            f"{api}/interviews/{interview['id']}/answers",
            json={"question_id": "kv-cache", "answer": KV_STRONG},
            headers={"Authorization": f"Bearer {interview['token']}"},
            timeout=30,
        )
        assert answered.status_code == 201, answered.text
        made[name] = interview["id"]
    return made


def test_reviewer_overrides_a_criterion_and_exports(
    live_server: LiveServer, seeded: dict[str, Any], page: Any, dialogs: list[str],
    artifacts: Path,
) -> None:  # fmt: skip
    page.goto(f"{live_server.url}/review/transcripts")
    assert "/review/login" in page.url
    page.fill("input[name=email]", "rita@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/review/transcripts")
    assert page.locator("tr.transcript").count() == 2

    page.fill("input[name=candidate]", "grace")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**candidate=grace**")
    assert page.locator("tr.transcript").count() == 1
    page.click("tr.transcript a.open")
    page.wait_for_url(f"**/review/transcripts/{seeded['Grace Hopper']}")
    assert page.locator("h1.candidate").inner_text().startswith("Grace Hopper")
    assert page.locator("mark.ev-criterion").count() > 0

    row = page.locator("tr.criterion").first
    criterion = row.get_attribute("data-criterion")
    coach_met = row.locator(".coach-verdict").inner_text().startswith("met")
    row.locator("select[name=verdict]").select_option("not_met" if coach_met else "met")
    row.locator("input[name=reason]").fill(f"Only name-drops it {HOSTILE}")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    event = page.locator("tr.audit-event").first
    assert event.locator(".who").inner_text() == "rita@example.com"
    assert criterion in event.locator(".entity").inner_text()
    assert event.locator(".reason").inner_text() == f"Only name-drops it {HOSTILE}"
    assert page.locator(f"tr.criterion.overridden[data-criterion='{criterion}']").count() == 1
    page.screenshot(path=str(artifacts / "review-transcript.png"), full_page=True)

    page.goto(f"{live_server.url}/review/transcripts?candidate=grace")
    with page.expect_download() as download_info:
        page.click("a.export-csv")
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert [r["candidate_name"] for r in rows] == ["Grace Hopper"]
    assert criterion in rows[0]["overrides"]
    assert dialogs == []  # the hostile reason never ran as script
