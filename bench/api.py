"""API benchmark: a real `coach serve` on loopback, N concurrent clients, one run.

Measures POST /api/v1/interviews/{id}/answers (grade + store on the SQLite file database) and
GET /api/v1/health (the trivial baseline) of the same server in the same run, and prints
requests/second, p50/p95 latency, errors and the ratio, and whether each target is met. The
server runs `coach serve --workers BENCH_WORKERS` (2: one per core of the machine it was tuned
on); the load generator shares those cores.

The clients are closed loops (bench/loadgen.py): one keep-alive HTTP/1.1 connection each, the next
request sent as soon as the previous response has been read, every status checked (201 for an
answer, 200 for health; anything else is an error). Answers vary (the rubrics' own example
answers with a unique suffix per request), so nothing can be served from a cache; after the run
the benchmark counts the attempts in the database and requires one per acknowledged answer.
Bounded: each phase (after a 1 s warm-up) stops after BENCH_SECONDS or BENCH_MAX_REQUESTS, a
server that stops answering ends the run, and the server is stopped at the end.

Targets: answers >= 25 % of trivial throughput, answers p95 < 100 ms at 32 clients.
Environment: BENCH_CLIENTS (32), BENCH_SECONDS (8), BENCH_MAX_REQUESTS (20000), BENCH_WORKERS (2).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench.loadgen import Result, read_response, request_bytes, run_phase
from coach import service
from coach.config import Settings
from coach.errors import CoachError
from coach.scoring import Rubric, load_rubrics

API = "/api/v1"
HOST = "127.0.0.1"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TARGET_RATIO = 0.25
TARGET_P95_MS = 100.0
FIXTURE_RUBRICS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "rubrics"
JSON = {"Content-Type": "application/json"}


@dataclass
class Phase:
    name: str
    result: Result

    @property
    def rps(self) -> float:
        elapsed = self.result.elapsed_s
        return len(self.result.latencies_ms) / elapsed if elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.result.latencies_ms:
            return float("nan")
        ordered = sorted(self.result.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self) -> str:
        return (
            f"{self.name:<34}{len(self.result.latencies_ms):>8}{self.rps:>10.1f}"
            f"{self.percentile(50):>10.1f}{self.percentile(95):>10.1f}{self.result.errors:>8}"
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


def _health_ok(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(request_bytes("GET", f"{API}/health", host=HOST))
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _start_server(database_url: str, rubrics_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {
        **os.environ,
        "COACH_DATABASE_URL": database_url,
        "COACH_RUBRICS_DIR": str(rubrics_dir),
        "COACH_SECRET_KEY": secrets.token_urlsafe(32),  # --workers > 1 needs one
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--host", HOST, "--port", str(port)]
        + ["--workers", str(WORKERS), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"server exited during startup:\n{stderr}")
        if _health_ok(port):
            return process, port
        time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start within 30 s")


async def _open_interviews(host: str, port: int) -> list[tuple[str, str]]:
    """One interview per client: (id, bearer token)."""
    request = request_bytes("POST", f"{API}/interviews", host=host, body=b"{}", headers=JSON)
    opened = []
    for _ in range(CLIENTS):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            status, body, _ = await read_response(reader)
        finally:
            writer.close()
        if status != 201:
            raise SystemExit(f"could not open an interview: HTTP {status} {body[:200]!r}")
        created = json.loads(body)
        opened.append((created["id"], created["token"]))
    return opened


async def _run(host: str, port: int, rubrics: dict[str, Rubric]) -> tuple[Phase, Phase, list[str]]:
    pool = _answers(rubrics)
    interviews = await _open_interviews(host, port)
    health_request = request_bytes("GET", f"{API}/health", host=host)

    def health(n: int, i: int) -> bytes:
        return health_request

    def post_answer(n: int, i: int) -> bytes:
        interview_id, token = interviews[n]
        question_id, text = pool[(n * 7 + i) % len(pool)]
        body = json.dumps({"question_id": question_id, "answer": f"{text}\n\n(attempt {n}-{i})"})
        headers = {**JSON, "Authorization": f"Bearer {token}"}
        path = f"{API}/interviews/{interview_id}/answers"
        return request_bytes("POST", path, host=host, body=body.encode(), headers=headers)

    common = {"clients": CLIENTS, "seconds": SECONDS, "max_requests": MAX_REQUESTS}
    trivial = await run_phase(host, port, build=health, expect=200, **common)
    answers = await run_phase(host, port, build=post_answer, expect=201, **common)
    for body in answers.bodies:  # spot check: a receipt with a stored attempt and its grade
        receipt = json.loads(body)
        assert receipt["attempt_id"] and receipt["grade"]["question"], receipt
    return (
        Phase("GET  /health (trivial)", trivial),
        Phase("POST /interviews/{id}/answers", answers),
        [interview_id for interview_id, _ in interviews],
    )


def _stored_attempts(database_url: str, interview_ids: list[str]) -> int:
    engine = service.connect(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT interview_id, count(*) FROM attempt GROUP BY interview_id")
            ).all()
    finally:
        engine.dispose()
    wanted = {uuid.UUID(i).hex for i in interview_ids}
    return sum(count for key, count in rows if str(key).replace("-", "") in wanted)


def main() -> None:
    rubrics_dir = _rubrics_dir()
    rubrics = load_rubrics(rubrics_dir)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'coach.db'}"
        service.upgrade_schema(database_url)
        process, port = _start_server(database_url, rubrics_dir)
        try:
            trivial, answers, interview_ids = asyncio.run(_run(HOST, port, rubrics))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        stored = _stored_attempts(database_url, interview_ids)
    acknowledged = answers.result.warmup_ok + len(answers.result.latencies_ms)
    print(
        f"== api: coach serve --workers {WORKERS} on {HOST}:{port}, {CLIENTS} concurrent "
        f"clients, {SECONDS:g} s a phase (or {MAX_REQUESTS} requests) =="
    )
    print(f"{'endpoint':<34}{'requests':>8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    print(trivial.line())
    print(answers.line())
    for phase in (trivial, answers):
        for sample in phase.result.error_samples:
            print(f"  error on {phase.name.strip()}: {sample}")
    stored_ok = "every one" if stored == acknowledged else "MISMATCH"
    print(
        f"answers acknowledged (201, warm-up included): {acknowledged}; "
        f"attempts stored: {stored} ({stored_ok})"
    )
    ratio = answers.rps / trivial.rps if trivial.rps else 0.0
    ratio_ok = "meets" if ratio >= TARGET_RATIO else "MISSES"
    p95 = answers.percentile(95)
    p95_ok = "meets" if p95 < TARGET_P95_MS else "MISSES"
    print(f"answers / trivial throughput: {ratio:.1%} ({ratio_ok} the {TARGET_RATIO:.0%} target)")
    print(
        f"answers p95: {p95:.1f} ms ({p95_ok} the {TARGET_P95_MS:.0f} ms target at {CLIENTS} "
        f"clients); answers p50 {answers.percentile(50):.1f} ms"
    )
    if stored != acknowledged:
        raise SystemExit("the database does not hold exactly one attempt per acknowledged answer")


if __name__ == "__main__":
    main()
