"""API benchmark: a real `coach serve` process on loopback, N concurrent clients, one run.

Measures POST /api/v1/interviews/{id}/answers (grade + store on the SQLite file database) and
GET /api/v1/health (the trivial baseline) of the same server in the same run, and prints
requests/second, p50/p95 latency and the ratio. Bounded: each phase stops after BENCH_SECONDS
or BENCH_MAX_REQUESTS, the server is stopped at the end. Answers vary (the rubrics' own example
answers with a unique suffix), so nothing can be served from a cache.

Targets: answers >= 25 % of trivial throughput, answers p95 < 100 ms at 32 clients.
Environment: BENCH_CLIENTS (32), BENCH_SECONDS (8), BENCH_MAX_REQUESTS (20000).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from coach import service
from coach.config import Settings
from coach.errors import CoachError
from coach.scoring import Rubric, load_rubrics

API = "/api/v1"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
WARMUP_SECONDS = 1.0
TARGET_RATIO = 0.25
TARGET_P95_MS = 100.0
FIXTURE_RUBRICS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "rubrics"


@dataclass
class Phase:
    name: str
    latencies_ms: list[float]
    elapsed_s: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self) -> str:
        return (
            f"{self.name:<34}{len(self.latencies_ms):>8}{self.rps:>10.1f}"
            f"{self.percentile(50):>10.1f}{self.percentile(95):>10.1f}{self.errors:>8}"
        )


def _rubrics_dir() -> Path:
    settings_dir = Settings().rubrics_dir
    try:
        load_rubrics(settings_dir)
        return settings_dir
    except CoachError as exc:
        print(f"(rubrics in {settings_dir} do not load: {exc.message.splitlines()[0]};")
        print(" using the test fixtures instead)")
        return FIXTURE_RUBRICS


def _answers(rubrics: dict[str, Rubric]) -> list[tuple[str, str]]:
    pool = []
    for rubric in rubrics.values():
        texts = [e.answer for e in rubric.examples if e.style not in ("injection",)]
        pool += [(rubric.id, text) for text in texts or [rubric.model_answer]]
    return pool


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(database_url: str, rubrics_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "COACH_DATABASE_URL": database_url, "COACH_RUBRICS_DIR": str(rubrics_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"server exited during startup:\n{stderr}")
        try:
            if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start within 30 s")


Request = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


async def _phase(name: str, base: str, request: Request, seconds: float) -> Phase:
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def client_loop(n: int, stop_at: float, record: bool) -> None:
        nonlocal errors, issued
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            i = 0
            while time.perf_counter() < stop_at and issued < MAX_REQUESTS:
                issued += 1 if record else 0
                started = time.perf_counter()
                response = await request(client, n, i)
                took = (time.perf_counter() - started) * 1000
                i += 1
                if not record:
                    continue
                if response.status_code >= 400:
                    errors += 1
                else:
                    latencies.append(took)

    warm_until = time.perf_counter() + WARMUP_SECONDS
    await asyncio.gather(*(client_loop(n, warm_until, False) for n in range(CLIENTS)))
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(client_loop(n, stop_at, True) for n in range(CLIENTS)))
    return Phase(name, latencies, time.perf_counter() - started, errors)


async def _run(base: str, rubrics: dict[str, Rubric]) -> tuple[Phase, Phase]:
    pool = _answers(rubrics)
    async with httpx.AsyncClient(base_url=base, timeout=30) as setup:
        interviews = []
        for _ in range(CLIENTS):
            created = (await setup.post(f"{API}/interviews", json={})).json()
            interviews.append((created["id"], {"Authorization": f"Bearer {created['token']}"}))

    async def post_answer(client: httpx.AsyncClient, n: int, i: int) -> httpx.Response:
        interview_id, headers = interviews[n]
        question_id, text = pool[(n * 7 + i) % len(pool)]
        return await client.post(
            f"{API}/interviews/{interview_id}/answers",
            json={"question_id": question_id, "answer": f"{text}\n\n(attempt {n}-{i})"},
            headers=headers,
        )

    async def health(client: httpx.AsyncClient, n: int, i: int) -> httpx.Response:
        return await client.get(f"{API}/health")

    trivial = await _phase("GET  /health (trivial)", base, health, SECONDS)
    answers = await _phase("POST /interviews/{id}/answers", base, post_answer, SECONDS)
    return answers, trivial


def main() -> None:
    rubrics_dir = _rubrics_dir()
    rubrics = load_rubrics(rubrics_dir)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'coach.db'}"
        service.upgrade_schema(database_url)
        process, base = _start_server(database_url, rubrics_dir)
        try:
            answers, trivial = asyncio.run(_run(base, rubrics))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"== api: real server on {base}, {CLIENTS} concurrent clients, {SECONDS:g} s a phase ==")
    print(f"{'endpoint':<34}{'requests':>8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    print(trivial.line())
    print(answers.line())
    ratio = answers.rps / trivial.rps if trivial.rps else 0.0
    ratio_ok = "meets" if ratio >= TARGET_RATIO else "MISSES"
    p95_ok = "meets" if answers.percentile(95) < TARGET_P95_MS else "MISSES"
    print(f"answers / trivial throughput: {ratio:.1%} ({ratio_ok} the {TARGET_RATIO:.0%} target)")
    median = statistics.median(answers.latencies_ms or [0.0])
    print(
        f"answers p95: {answers.percentile(95):.1f} ms ({p95_ok} the {TARGET_P95_MS:.0f} ms "
        f"target at {CLIENTS} clients); answers p50 {median:.1f} ms"
    )


if __name__ == "__main__":
    main()
