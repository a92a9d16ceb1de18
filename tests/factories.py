"""Small builders for storage and API tests (answers, interviews, auth headers)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

API = "/api/v1"
KV_STRONG = (
    "We use paged attention: the KV cache lives in fixed-size blocks, so there is no "
    "fragmentation. Each token costs about 0.5 MB/token, so an 80 GB H100 holds roughly 100k "
    "tokens after weights. When the cache is full we evict with LRU, and we preempt requests "
    "before the server runs out of memory. This matters because long conversations and many "
    "concurrent users both multiply the memory that the cache needs, and running short forces "
    "the scheduler to stall or to drop work. Keeping the cache compact and releasing it "
    "carefully keeps latency predictable while the batch stays large enough to keep the GPU "
    "busy, which is what the service is paid for."
)
KV_WEAK = "We keep the KV cache in GPU memory and hope it fits."
CHECKPOINT_ANSWER = (
    "Every rank writes its own shard in parallel; the whole checkpoint is about 1.4 TB with "
    "optimizer state. We copy to host memory and save asynchronously in the background, then "
    "commit with an atomic rename of a manifest so a crash mid-write cannot corrupt anything."
)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def open_interview(client: AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/interviews", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def answer(
    client: AsyncClient, interview: dict[str, Any], question_id: str, text: str
) -> Any:
    return await client.post(
        f"{API}/interviews/{interview['id']}/answers",
        json={"question_id": question_id, "answer": text},
        headers=auth(interview["token"]),
    )
