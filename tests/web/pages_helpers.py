"""Builders for page tests: parse HTML, find the form token, post a practice answer."""

from __future__ import annotations

from bs4 import BeautifulSoup
from httpx import AsyncClient, Response


def soup(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def csrf(client: AsyncClient, path: str = "/") -> str:
    token = soup(await client.get(path)).select_one("input[name=csrf]")
    assert token is not None, f"no form token on {path}"
    return str(token["value"])


async def practise(client: AsyncClient, question_id: str, answer: str) -> Response:
    """Submit a practice answer the way the form does; returns the (unfollowed) response."""
    token = await csrf(client, f"/questions/{question_id}")
    return await client.post(f"/questions/{question_id}", data={"csrf": token, "answer": answer})


def text_of(page: BeautifulSoup, selector: str) -> str:
    node = page.select_one(selector)
    assert node is not None, f"nothing matches {selector}"
    return " ".join(node.get_text(" ").split())
