"""Parse the judge's reply into per-criterion verdicts; check every quote against the answer."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field

from coach.scoring import Rubric, Status


class JudgeVerdict(BaseModel):
    id: str
    """The criterion id."""
    status: Status
    """pass / fail, or unscored when the judge gave no usable verdict."""
    quote: str = ""
    """The span the judge quoted; only kept when it occurs verbatim in the answer."""
    start: int | None = None
    """Offset of the quote in the answer, so pages can highlight it."""
    reason: str = ""


class JudgeResult(BaseModel):
    model: str
    verdicts: list[JudgeVerdict] = Field(default_factory=list)
    error: str = ""
    """Why the judge could not score (timeout, HTTP error, unparseable reply); empty when fine."""

    @property
    def scored(self) -> bool:
        return not self.error


_FENCE_RE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_SPACE_RE = re.compile(r"\s+")


def unscored_result(rubric: Rubric, model: str, reason: str) -> JudgeResult:
    verdicts = [
        JudgeVerdict(id=c.id, status=Status.UNSCORED, reason=reason) for c in rubric.criteria
    ]
    return JudgeResult(model=model, verdicts=verdicts, error=reason)


def _find_quote(quote: str, answer: str) -> int | None:
    """The quote's offset in the answer (whitespace-insensitive), or None if it is not there."""
    if not quote.strip():
        return None
    exact = answer.find(quote)
    if exact >= 0:
        return exact
    pattern = r"\s+".join(re.escape(part) for part in _SPACE_RE.split(quote.strip()))
    match = re.search(pattern, answer)
    return match.start() if match else None


def _object(reply: str) -> Any:
    text = _FENCE_RE.sub("", reply.strip())
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            return json.loads(text[start : end + 1])
        raise


def parse_reply(reply: str, rubric: Rubric, answer: str, model: str) -> JudgeResult:
    """Turn the model's text into verdicts. Never raises: problems become unscored verdicts."""
    try:
        data = _object(reply)
    except (json.JSONDecodeError, ValueError):
        return unscored_result(rubric, model, "The judge's reply was not valid JSON.")
    items = data.get("criteria") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return unscored_result(rubric, model, "The judge's reply had no 'criteria' list.")
    given: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            given.setdefault(item["id"], item)
    verdicts = []
    for criterion in rubric.criteria:
        item = given.get(criterion.id)
        if item is None or not isinstance(item.get("met"), bool):
            verdicts.append(
                JudgeVerdict(
                    id=criterion.id,
                    status=Status.UNSCORED,
                    reason="The judge gave no verdict for this criterion.",
                )
            )
            continue
        reason = str(item.get("reason", ""))[:500]
        quote = str(item.get("quote", ""))[:1000]
        if not item["met"]:
            verdicts.append(JudgeVerdict(id=criterion.id, status=Status.FAIL, reason=reason))
            continue
        start = _find_quote(quote, answer)
        if start is None:
            verdicts.append(
                JudgeVerdict(
                    id=criterion.id,
                    status=Status.UNSCORED,
                    reason="The judge said met but its quote is not in the answer.",
                )
            )
            continue
        verdicts.append(
            JudgeVerdict(
                id=criterion.id, status=Status.PASS, quote=quote, start=start, reason=reason
            )
        )
    return JudgeResult(model=model, verdicts=verdicts)
