"""Literal prefilters for rubric regexes.

Most rubric patterns (misconceptions especially) do not match a given answer, and scanning the
answer with each of 30-40 patterns is the bulk of grading time. From a pattern's parse tree we
derive a set of literal strings at least one of which every match must contain; when the answer
contains none of them, the pattern cannot match and is not run. When nothing useful can be
derived the pattern always runs, so the prefilter can skip work but never change a verdict.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre  # noqa: PLC2701 - the stdlib's own regex parse tree
import re._parser as sre_parse
from typing import Any

_MAX_SET = 64
_REGEX_ONLY = re.compile(r"\{\s*[eisd]\s*[<=]|\(\?V|\\[mMGXKp]")
MIN_USEFUL = 3


def _cross(left: set[str], right: set[str]) -> set[str] | None:
    product = {a + b for a in left for b in right}
    return product if len(product) <= _MAX_SET else None


def _exact(items: Any) -> set[str] | None:
    """The finite set of strings a sequence matches exactly, if small; else None."""
    out: set[str] | None = {""}
    for op, arg in items:
        part = _exact_item(op, arg)
        if part is None or out is None:
            return None
        out = _cross(out, part)
    return out


def _exact_item(op: Any, arg: Any) -> set[str] | None:
    if op is sre.LITERAL:
        return {chr(arg)}
    if op is sre.AT:
        return {""}
    if op is sre.SUBPATTERN:
        return _exact(arg[-1])
    if op is sre.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            part = _exact(branch)
            if part is None:
                return None
            out |= part
        return out if len(out) <= _MAX_SET else None
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg) and len(arg) <= 8:
        return {chr(value) for _, value in arg}
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = arg
        inner = _exact(body)
        if inner is None or high > 2:
            return None
        out = {""} if low == 0 else set()
        for count in range(max(low, 1), high + 1):
            repeated: set[str] | None = {""}
            for _ in range(count):
                repeated = _cross(repeated, inner) if repeated is not None else None
            if repeated is None:
                return None
            out |= repeated
        return out
    return None


def _best(candidates: list[set[str]]) -> set[str] | None:
    useful = [c for c in candidates if c and min(len(s) for s in c) >= MIN_USEFUL]
    if not useful:
        return None
    return max(useful, key=lambda c: (min(len(s) for s in c), -len(c)))


def _required(items: Any) -> set[str] | None:
    """Strings one of which every match of this sequence contains (None: unknown)."""
    return _best(_all_required(items))


def _all_required(items: Any) -> list[set[str]]:
    """Every set of strings that a match of this sequence must contain one of."""
    candidates: list[set[str]] = []
    run: set[str] | None = {""}
    for op, arg in items:
        part = _exact_item(op, arg)
        if part is not None and run is not None:
            joined = _cross(run, part)
            if joined is not None:
                run = joined
                continue
        if run and run != {""}:
            candidates.append(run)
        run = {""} if part is None else part
        inner = _required_item(op, arg)
        if inner is not None:
            candidates.append(inner)
    if run and run != {""}:
        candidates.append(run)
    return [c for c in candidates if c and min(len(s) for s in c) >= MIN_USEFUL]


def _required_item(op: Any, arg: Any) -> set[str] | None:
    if op is sre.SUBPATTERN:
        return _required(arg[-1])
    if op is sre.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            part = _required(branch) or _best([_exact(branch) or set()])
            if part is None:
                return None
            out |= part
        return out
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
        return _required(arg[2])
    return None


@functools.lru_cache(maxsize=1024)
def required_literals(pattern: str, ignore_case: bool) -> tuple[frozenset[str], ...] | None:
    """Sets of literals: any match contains one literal of every set. None when none can be
    derived."""
    if _REGEX_ONLY.search(pattern):
        return None  # syntax the stdlib parser would misread (e.g. fuzzy `{e<=1}`)
    try:
        tree = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None
    if tree.state.flags & (sre.SRE_FLAG_VERBOSE | sre.SRE_FLAG_IGNORECASE):
        ignore_case = True
    found = _all_required(list(tree))
    if not found:
        return None
    fold = str.casefold if ignore_case else str
    return tuple(frozenset(fold(s) for s in group) for group in found)


def may_match(pattern: str, text: str, *, ignore_case: bool) -> bool:
    """False only when the pattern provably cannot match the text."""
    groups = required_literals(pattern, ignore_case)
    return groups is None or all(any(lit in text for lit in group) for group in groups)


def longest_first(words: list[str]) -> str:
    """A regex matching the longest of these words that starts at a position, written as a
    tree of their shared prefixes: the engine follows one branch instead of trying every
    word ("rate", "rated", "rating" -> "ra(?:t(?:ing|e(?:d)?))")."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict[str, Any]) -> str:
        # The children start with different characters, so at most one can go on: trying it
        # before ending here finds the longest word.
        alternatives = [re.escape(c) + branch(child) for c, child in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = "(?:" + "|".join(alternatives) + ")"
        return body + "?" if "" in node else body

    return branch(tree)
