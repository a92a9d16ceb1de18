"""Questions and stateless grading: what a client sees, and errors a person can act on."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from coach.storage.models import Attempt
from tests.factories import API, KV_STRONG


async def test_questions_list_every_question_without_rubric_internals(client: AsyncClient) -> None:
    response = await client.get(f"{API}/questions")
    assert response.status_code == 200
    questions = response.json()
    assert [q["id"] for q in questions] == ["checkpointing", "kv-cache"]
    for question in questions:
        assert {"question", "topic", "suggested_minutes", "dimensions"} <= set(question)
        assert not {"model_answer", "why_strong", "criteria", "concepts"} & set(question)


async def test_question_by_id_returns_its_text(client: AsyncClient) -> None:
    response = await client.get(f"{API}/questions/kv-cache")
    assert response.status_code == 200
    body = response.json()
    assert body["question"].startswith("How do you manage the KV cache")
    assert "model_answer" not in response.text


async def test_unknown_question_404_lists_the_valid_ids(client: AsyncClient) -> None:
    response = await client.get(f"{API}/questions/kv-cach")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown_question"
    assert "checkpointing, kv-cache" in error["message"]


async def test_grade_returns_a_grade_and_stores_nothing(
    client: AsyncClient, engine: Engine
) -> None:
    response = await client.post(
        f"{API}/grade", json={"question_id": "kv-cache", "answer": KV_STRONG}
    )
    assert response.status_code == 200
    grade = response.json()
    assert grade["question"] == "kv-cache"
    assert grade["score"] >= 60
    assert {c["id"] for c in grade["criteria"]} >= {"paging", "eviction"}
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Attempt)).one() == 0


@pytest.mark.parametrize(
    ("payload", "status", "code", "says"),
    [
        ({"question_id": "kv-cache", "answer": ""}, 422, "empty_answer", "empty"),
        ({"question_id": "kv-cache", "answer": "   \n"}, 422, "empty_answer", "empty"),
        ({"question_id": "kv-cache", "answer": "x" * 20_001}, 413, "answer_too_long", "20,000"),
        ({"question_id": "kv-cache", "answer": 42}, 422, "invalid_request", "answer"),
        ({"question_id": "kv-cache"}, 422, "invalid_request", "answer: Field required"),
        ({"question_id": ["kv-cache"], "answer": "a"}, 422, "invalid_request", "question_id"),
        ({"question_id": "nope", "answer": "a b c"}, 404, "unknown_question", "kv-cache"),
        ({"question_id": "kv-cache", "answer": "a", "extra": 1}, 422, "invalid_request", "extra"),
        ([1, 2], 422, "invalid_request", "Invalid request"),
    ],
    ids=[
        "empty",
        "blank",
        "too-long",
        "answer-not-string",
        "answer-missing",
        "question-not-string",
        "unknown-question",
        "unknown-field",
        "not-an-object",
    ],
)
async def test_grade_bad_input_gets_status_and_readable_message(
    client: AsyncClient, payload: object, status: int, code: str, says: str
) -> None:
    response = await client.post(f"{API}/grade", json=payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert says in error["message"]


async def _post_grade_bytes(client: AsyncClient, body: Any) -> Response:
    """POST a body exactly as given (malformed, not UTF-8, oversized or streamed) as JSON."""
    return await client.post(
        f"{API}/grade", content=body, headers={"content-type": "application/json"}
    )


async def test_malformed_json_is_422_saying_it_is_not_json(client: AsyncClient) -> None:
    response = await _post_grade_bytes(client, b'{"question_id": "kv-cache", answer: }')
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "not valid JSON" in message
    assert not message.endswith("..")


async def test_body_that_is_not_utf8_says_so(client: AsyncClient) -> None:
    response = await _post_grade_bytes(
        client, b'{"question_id": "kv-cache", "answer": "NVLink \xff\xfe"}'
    )
    assert response.status_code == 400
    assert "not valid UTF-8 (byte 46" in response.json()["error"]["message"]


async def test_one_megabyte_body_is_refused_with_413_before_parsing(client: AsyncClient) -> None:
    body = b'{"question_id": "kv-cache", "answer": "' + b"a" * 1_000_000 + b'"}'
    response = await _post_grade_bytes(client, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_streamed_body_without_length_is_cut_off_with_413(client: AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"question_id": "kv-cache", "answer": "'
        for _ in range(20):
            yield b"a" * 65_536
        yield b'"}'

    response = await _post_grade_bytes(client, chunks())
    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]


async def test_unknown_api_route_is_json_404_and_page_route_is_html(client: AsyncClient) -> None:
    api = await client.get(f"{API}/nothing-here")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    page = await client.get("/nothing-here")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Nothing at GET /nothing-here" in page.text


async def test_openapi_documents_the_api(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert f"{API}/interviews/{{interview_id}}/answers" in schema["paths"]
    assert (await client.get("/docs")).status_code == 200
