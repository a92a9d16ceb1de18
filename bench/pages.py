"""Page benchmark: server-side time per candidate page, in-process (ASGI, no network).

Every page is requested ROUNDS times through httpx.ASGITransport against a temporary SQLite file
with the real rubrics; the answers are 2,000 words (built from each rubric's own examples), the
worst case the result and summary pages render. Target: every page under 100 ms (median and p95).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from httpx import ASGITransport, AsyncClient, Response

from bench.grading import _long_answer
from coach import service
from coach.config import Settings
from coach.web import create_app

ROUNDS = 40
TARGET_MS = 100.0
WORDS = 2000


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def _csrf(response: Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', response.text)
    assert found, "no form token"
    return found.group(1)


async def _time(request: Callable[[], Awaitable[Response]], rounds: int) -> list[float]:
    await request()  # warm the template cache
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await request()
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 400, response.text[:300]
    return out


async def _run(database_url: str) -> list[tuple[str, list[float]]]:
    settings = Settings(database_url=database_url)
    app = create_app(settings)
    rubrics = app.state.rubrics
    answers = {q: _long_answer(rubrics[q], WORDS) for q in rubrics}
    results: list[tuple[str, list[float]]] = []
    async with app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app), base_url="http://bench") as client:
            token = _csrf(await client.get("/"))
            posted = await client.post(
                "/questions/kv-cache", data={"csrf": token, "answer": answers["kv-cache"]}
            )
            result_url = posted.headers["location"]
            started = await client.post("/interviews", data={"csrf": token})
            interview_url = started.headers["location"]
            for question_id in service.ordered_ids(rubrics):
                form = {"csrf": token, "question_id": question_id, "answer": answers[question_id]}
                await client.post(interview_url + "/answers", data=form)
            summary_url = interview_url + "/summary"
            summary = await client.get(summary_url)
            attempt_link = re.search(r'href="([^"]+/attempts/[^"]+)"', summary.text)
            assert attempt_link, "summary links no result"
            pages: list[tuple[str, Callable[[], Awaitable[Response]]]] = [
                ("home", lambda: client.get("/")),
                ("practise form", lambda: client.get("/questions/kv-cache")),
                ("result (2000 words)", lambda: client.get(result_url)),
                ("interview summary", lambda: client.get(summary_url)),
                ("interview result", lambda: client.get(attempt_link.group(1))),
                ("drill index", lambda: client.get("/drill")),
                ("drill item + verdict", lambda: client.get("/drill/kv-cache?picked=A")),
            ]
            for name, request in pages:
                results.append((name, await _time(request, ROUNDS)))
            submit = lambda: client.post(  # noqa: E731
                "/questions/kv-cache", data={"csrf": token, "answer": answers["kv-cache"]}
            )
            results.append(("practise submit (grades)", await _time(submit, ROUNDS // 4)))
    app.state.engine.dispose()
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        service.upgrade_schema(url)
        results = asyncio.run(_run(url))
    print(f"== pages: server-side time per page, in-process, {WORDS}-word answers ==")
    print(f"{'page':<28}{'median ms':>11}{'p95 ms':>9}")
    worst = 0.0
    for name, timings in results:
        median, p95 = statistics.median(timings), _p95(timings)
        worst = max(worst, p95)
        print(f"{name:<28}{median:>11.1f}{p95:>9.1f}")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"worst p95 {worst:.1f} ms ({verdict} the {TARGET_MS:.0f} ms target)")


if __name__ == "__main__":
    main()
