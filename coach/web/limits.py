"""Refuse oversized request bodies early: by Content-Length before reading, else while streaming."""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_TOO_LARGE = (
    "The request body is {size} bytes; the limit is {limit:,} bytes. Send a shorter answer."
)


def body_limit_for(max_answer_chars: int) -> int:
    """Room for the longest valid answer, even JSON-escaped (\\uXXXX: 6 bytes a character),
    plus the JSON around it. Anything bigger cannot be a valid answer."""
    return 6 * max_answer_chars + 16 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, size: str, limit: int) -> None:
        super().__init__(status_code=413, detail=BODY_TOO_LARGE.format(size=size, limit=limit))


class BodySizeLimit:
    """Pure ASGI middleware (no per-request task), so it costs nothing on small requests."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send, f"{int(declared):,}")
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body parsing; our handler renders it.
                    raise BodyTooLarge(f"over {self.max_bytes:,}", self.max_bytes)
            return message

        await self.app(scope, limited, send)

    async def _reject(self, send: Send, size: str) -> None:
        message = BODY_TOO_LARGE.format(size=size, limit=self.max_bytes)
        body = json.dumps({"error": {"code": "body_too_large", "message": message}}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
