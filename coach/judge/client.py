"""The only outbound HTTP in the coach: an OpenAI-compatible Chat Completions call.

Works with OpenAI, vLLM, Ollama (`/v1`) and llama.cpp server. The HTTP client is injected, so
tests hand it an `httpx.MockTransport` and end-to-end tests a real local server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from coach.judge.prompt import build_messages
from coach.judge.verdicts import JudgeResult, parse_reply, unscored_result
from coach.scoring import Rubric


@asynccontextmanager
async def judge_http() -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP client the judge uses in production (tests inject their own)."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        yield http


@dataclass(frozen=True)
class JudgeClient:
    base_url: str
    """e.g. http://127.0.0.1:11434/v1 (Ollama) or https://api.openai.com/v1"""
    model: str
    http: httpx.AsyncClient
    api_key: str | None = None
    timeout_s: float = 30.0

    async def judge(self, rubric: Rubric, answer: str) -> JudgeResult:
        url = self.base_url.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": build_messages(rubric, answer),
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        try:
            response = await self.http.post(url, json=body, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException:
            return unscored_result(
                rubric, self.model, f"The judge did not answer within {self.timeout_s:g} s."
            )
        except httpx.HTTPError as exc:
            return unscored_result(
                rubric, self.model, f"Could not reach the judge: {type(exc).__name__}."
            )
        if response.status_code != 200:
            return unscored_result(
                rubric, self.model, f"The judge returned HTTP {response.status_code}."
            )
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return unscored_result(
                rubric, self.model, "The judge's response was not a chat completion."
            )
        if not isinstance(content, str):
            return unscored_result(rubric, self.model, "The judge's reply had no text.")
        return parse_reply(content, rubric, answer, self.model)
