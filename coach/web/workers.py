"""`coach serve --workers N`: N server processes, each with its own listening socket.

Grading is CPU-bound Python, so a process grades on one core; more cores need more processes.
uvicorn's own `--workers` hands every worker the same listening socket, and a keep-alive
connection stays with the worker that accepted it: a burst of new connections is mostly accepted
by whichever worker wakes first (32 simultaneous clients split 2/30 to 9/23 in bench/api.py),
and the busier worker's queue sets everyone's latency. Here each worker binds the port with
SO_REUSEPORT, so the Linux kernel spreads new connections across the workers' sockets (measured:
11/21 to 15/17). Where the kernel does not balance SO_REUSEPORT sockets (anything but Linux),
the workers share one socket as with uvicorn.

The supervisor (this process) starts the workers, forwards SIGINT/SIGTERM to them, and stops
them all if one exits; the process exits non-zero if a worker failed.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from typing import Any

APP_FACTORY = "coach.web.app:create_app"
BALANCED_REUSEPORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A bound TCP socket for host:port (IPv6 when the host has a colon, as uvicorn decides)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, shared: socket.socket | None, options: dict[str, Any]) -> None:
    import uvicorn

    sock = shared or listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(APP_FACTORY, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Run `workers` server processes on host:port until a signal or a worker's exit; returns
    the exit status (0 after a signal, 1 when a worker stopped on its own)."""
    context = multiprocessing.get_context("spawn")
    shared = None if BALANCED_REUSEPORT else listening_socket(host, port, reuse_port=False)
    processes: list[BaseProcess] = [
        context.Process(target=_worker, args=(host, port, shared, options), daemon=False)
        for _ in range(workers)
    ]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.pid is not None and process.exitcode is None:
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            process.start()
        while not stopping and all(p.exitcode is None for p in processes):
            time.sleep(0.2)
        failed = not stopping
        stop(signal.SIGTERM, None)
        for process in processes:
            process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0
