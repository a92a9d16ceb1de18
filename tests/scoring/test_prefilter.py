"""The regex prefilter may skip a pattern only when the pattern cannot match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import regex

from coach.config import Settings
from coach.scoring import load_rubrics
from coach.scoring.grader import walk
from coach.scoring.prefilter import longest_first, may_match, required_literals
from coach.scoring.text import normalize

from .conftest import load_yaml

RUBRICS = load_rubrics(Settings().rubrics_dir)


def _answers() -> list[str]:
    answers = [e.answer for r in RUBRICS.values() for e in r.examples]
    for path in sorted((Path(__file__).parent / "heldout").glob("*.yaml")):
        answers += [item["answer"] for item in load_yaml(path)]
    return answers


@pytest.mark.parametrize(
    ("pattern", "groups"),
    [
        (r"900\s*gb(?:/s|ps)?\s*(?:per|each)", [{"900"}, {"per", "each"}]),
        (
            r"\b(?:gpudirect|gdr)\b[^.]{0,40}\bcop(?:ies|y)\b",
            [{"gpudirect", "gdr"}, {"copies", "copy"}],
        ),
        (
            r"\bZeRO-?[12]\b[^.]{0,60}params?",
            [{"zero1", "zero2", "zero-1", "zero-2"}, {"param", "params"}],
        ),
        (r"(a|aa)+$", None),
        (r"\w+\s+\d+", None),
        (r"(?:infiniband){e<=1}", None),  # regex-module fuzzy syntax
    ],
)
def test_required_literals(pattern: str, groups: list[set[str]] | None) -> None:
    found = required_literals(pattern, True)
    assert (None if found is None else [set(g) for g in found]) == groups


def test_every_required_group_must_be_present() -> None:
    pattern = r"\bzero-?2\b[^.]{0,60}param"
    assert may_match(pattern, "zero-2 shards the params", ignore_case=True)
    assert not may_match(pattern, "zero-3 shards the params", ignore_case=True)
    assert not may_match(pattern, "zero-2 shards gradients", ignore_case=True)


def test_prefilter_never_skips_a_pattern_that_matches_a_real_answer() -> None:
    checks = [
        node
        for r in RUBRICS.values()
        for item in [*r.criteria, *r.misconceptions]
        for check in (item.check, item.unless)
        for node in walk(check)
        if node.type == "regex"
    ]
    texts = [normalize(a) for a in _answers()]
    assert len(checks) > 50 and len(texts) > 100
    compared = 0
    for check in checks:
        flags = regex.VERSION0 | (0 if check.case_sensitive else regex.IGNORECASE)
        compiled = regex.compile(check.pattern, flags)
        for text in texts:
            haystack = text.cased if check.case_sensitive else text.folded
            if compiled.search(haystack):
                compared += 1
                assert may_match(check.pattern, haystack, ignore_case=not check.case_sensitive)
    assert compared > 100


@pytest.mark.parametrize(
    ("words", "text", "found"),
    [
        (["rate", "rated", "rating"], "rated it, rating, rate", ["rated", "rating", "rate"]),
        (["rubric items", "item", "rubric"], "rubric items; rubric", ["rubric items", "rubric"]),
        (["inst]", "/ 100", "act as"], "[inst] act as 90 / 100", ["inst]", "act as", "/ 100"]),
        (["ab", "abcd"], "abc abcd", ["ab", "abcd"]),
        (["grade"], "no keys here", []),
    ],
)
def test_longest_first_finds_what_a_longest_first_alternation_finds(
    words: list[str], text: str, found: list[str]
) -> None:
    plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    assert re.findall(longest_first(words), text) == re.findall(plain, text) == found
