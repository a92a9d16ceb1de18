"""A lean closed-loop HTTP/1.1 load generator for the API benchmark (loopback only).

Each client owns one keep-alive connection (asyncio streams; when the server closes it, it is
reopened inside the next request's timing) and sends its next request only after the previous
response has been read in full: no pacing, no think time, no pipelining.
Parsing is the minimum that is still honest: the status line, Content-Length (or chunked
bodies), and `Connection: close`. Every response's status is checked against the expected one;
anything else, a malformed response or a broken connection counts as an error.

Why not httpx: on this 2-core machine its ~1 ms of client CPU a request capped even the trivial
endpoint, so the benchmark measured the client as much as the server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

STALL_S = 30.0

Build = Callable[[int, int], bytes]
"""(client number, request number) -> the whole request, head and body, as bytes. A client's
request numbers keep counting across the warm-up and the measured run, so no two repeat."""


class ProtocolError(Exception):
    """The server's reply was not an HTTP/1.1 response we can read."""


def request_bytes(
    method: str, path: str, *, host: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    """One HTTP/1.1 request, ready to write."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected: the empty line
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of the next response on the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 ") or len(head) < 12:
        raise ProtocolError(head[:80].decode("latin-1"))
    status = int(head[9:12])
    lower = head.lower()
    keep = b"\r\nconnection: close\r\n" not in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        body = await reader.readexactly(int(lower[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked\r\n" in lower:
        body = await _read_chunked(reader)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        raise ProtocolError("a response without Content-Length or chunked encoding")
    return status, body, keep


@dataclass
class Result:
    """What one phase measured: latencies of the expected responses, and everything else."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    """The last body each client received with the expected status (for spot checks)."""
    elapsed_s: float = 0.0
    warmup_ok: int = 0
    """Responses with the expected status during the warm-up (not in the figures above)."""

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(what[:300])


async def _client(
    host: str,
    port: int,
    n: int,
    build: Build,
    expect: int,
    stop_at: float,
    budget: list[int],
    sent: list[int],
    result: Result,
) -> None:
    """Send requests until `stop_at` or the shared budget runs out; `sent[n]` counts them.
    A connection the server closed is reopened when the next request is due, inside its timing
    (a real client pays for the new connection too)."""
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    last_ok = b""
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            payload = build(n, sent[n])
            sent[n] += 1
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = await asyncio.open_connection(host, port)
                reader, writer = connection
                writer.write(payload)
                status, body, keep = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ProtocolError, ValueError) as exc:
                result.error(f"{type(exc).__name__}: {exc}")
                if connection is not None:
                    connection[1].close()
                connection = None
                continue
            took_ms = (time.perf_counter() - started) * 1000
            if status == expect:
                result.latencies_ms.append(took_ms)
                last_ok = body
            else:
                result.error(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}")
            if not keep:
                writer.close()
                connection = None
    finally:
        if connection is not None:
            connection[1].close()
    if last_ok:
        result.bodies.append(last_ok)


async def _bounded(loops: list[Coroutine[Any, Any, None]], seconds: float) -> None:
    """Run the client loops; a server that stops answering ends the run instead of hanging it."""
    try:
        await asyncio.wait_for(asyncio.gather(*loops), seconds + STALL_S)
    except TimeoutError:
        raise SystemExit(
            f"the server stopped answering: no response within {STALL_S:g} s"
        ) from None


async def run_phase(
    host: str,
    port: int,
    *,
    clients: int,
    build: Build,
    expect: int,
    seconds: float,
    max_requests: int,
    warmup_s: float = 1.0,
) -> Result:
    """Warm up for `warmup_s`, then `clients` closed loops for `seconds` or `max_requests`
    requests in all, whichever comes first. Warm-up latencies are not recorded; its errors are."""
    sent = [0] * clients
    warmup = Result()
    warm_until = time.perf_counter() + warmup_s
    budget = [max_requests]
    await _bounded(
        [
            _client(host, port, n, build, expect, warm_until, budget, sent, warmup)
            for n in range(clients)
        ],
        warmup_s,
    )
    result = Result(
        errors=warmup.errors, error_samples=warmup.error_samples, warmup_ok=len(warmup.latencies_ms)
    )
    budget = [max_requests]
    started = time.perf_counter()
    stop_at = started + seconds
    await _bounded(
        [
            _client(host, port, n, build, expect, stop_at, budget, sent, result)
            for n in range(clients)
        ],
        seconds,
    )
    result.elapsed_s = time.perf_counter() - started
    return result
