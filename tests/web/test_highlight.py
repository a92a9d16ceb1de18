"""Highlight segments: built from evidence offsets, never from markup."""

from __future__ import annotations

from coach.config import PROJECT_ROOT
from coach.scoring import grade, load_rubric
from coach.web.highlight import Kind, segments

KV = load_rubric(PROJECT_ROOT / "rubrics" / "kv-cache.yaml")
ANSWER = (
    "The KV cache keeps keys and values of every past token so decode does not recompute them. "
    "For Llama-3-70B with GQA it is 2 MB per token. <b>PagedAttention</b> stores blocks to avoid "
    "fragmentation, and LRU eviction with reference counts protects the shared system prompt."
)


def test_segments_rebuild_the_answer_exactly() -> None:
    pieces = segments(ANSWER, grade(ANSWER, KV))
    assert "".join(s.text for s in pieces) == ANSWER
    assert any(s.kind is Kind.CRITERION for s in pieces)


def test_misconception_outranks_a_criterion_on_the_same_words() -> None:
    pieces = segments(ANSWER, grade(ANSWER, KV))
    wrong = [s for s in pieces if s.kind is Kind.MISCONCEPTION]
    assert wrong and "2 MB" in "".join(s.text for s in wrong)
    assert all(s.misconceptions for s in wrong)


def test_labels_follow_reading_order() -> None:
    pieces = segments(ANSWER, grade(ANSWER, KV))
    labels = [r.label for s in pieces for r in s.ends if r.kind is Kind.CRITERION]
    firsts = list(dict.fromkeys(labels))
    assert firsts == sorted(firsts, key=int)


def test_evidence_beyond_the_text_is_clipped() -> None:
    result = grade(ANSWER, KV)
    short = ANSWER[:40]
    assert "".join(s.text for s in segments(short, result)) == short
