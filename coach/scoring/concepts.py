"""Concept matching: named synonym sets matched word-bounded, case-, hyphen- and
spacing-insensitive, tolerant of one-letter misspellings of longer words ("Infinibnd")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from coach.scoring.text import WORD_RE, NormalizedText

FUZZY_MIN_LEN = 6
# Real words one edit away from a domain term; never read as a misspelling of it.
_NOT_TYPOS = frozenset(
    """sharing shared sharding encode encoder decoder decoded remain retain contain detain
    parallel partial pinned planned planner planning caches cached reached reaches matches
    latency latent patent talent tensor tenser sensor center counter router routes routed
    writer writes wrote trained trainer strain grains prefix prefer suffix stripe strip
    stripes striped tripe replica replicas replicate evicted evident evicts events evict
    server served severe severs sender render tender vendor bender binder blinder cluster
    clusters bluster muster faster father master matter latter letter better bitter
    """.split()
)


def term_tokens(term: str) -> tuple[str, ...]:
    return tuple(WORD_RE.findall(term.casefold()))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (substitution, insertion, deletion, transposition)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


class Mention(NamedTuple):
    first: int
    """Index of the first token."""
    last: int
    """Index of the last token (inclusive)."""


@dataclass
class ConceptIndex:
    """All terms of one rubric, compiled once: keyed by the word each term starts with."""

    named: dict[str, list[str]] = field(default_factory=dict)
    """The rubric's named concepts, as written."""
    keys: set[str] = field(default_factory=set)
    singles: dict[str, list[str]] = field(default_factory=dict)
    """word -> keys of the one-word terms it is."""
    pairs: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    """(first, second) word -> (key, term) of the multi-word terms starting so."""
    vocabulary: set[str] = field(default_factory=set)
    deletes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, concepts: dict[str, list[str]]) -> ConceptIndex:
        index = cls(named=concepts)
        for name, raw_terms in concepts.items():
            index._register(name, raw_terms)
        return index

    @staticmethod
    def inline_key(raw_terms: list[str]) -> str:
        return "\x00".join(raw_terms)

    def inline(self, raw_terms: list[str]) -> str:
        """Register an inline list (items are concept names, expanded, or literal terms)."""
        key = self.inline_key(raw_terms)
        if key not in self.keys:
            expanded: list[str] = []
            for raw in raw_terms:
                expanded += self.named.get(raw, [raw])
            self._register(key, expanded)
        return key

    def _register(self, key: str, raw_terms: Iterable[str]) -> None:
        self.keys.add(key)
        for raw in raw_terms:
            tokens = term_tokens(raw)
            if not tokens:
                continue
            variants = {tokens}
            if len(tokens) > 1:
                variants.add(("".join(tokens),))
            for variant in variants:
                if len(variant) == 1:
                    keys = self.singles.setdefault(variant[0], [])
                    if key not in keys:
                        keys.append(key)
                else:
                    bucket = self.pairs.setdefault((variant[0], variant[1]), [])
                    if (key, variant) not in bucket:
                        bucket.append((key, variant))
                for tok in variant:
                    self._add_word(tok)

    def _add_word(self, word: str) -> None:
        if word in self.vocabulary:
            return
        self.vocabulary.add(word)
        if len(word) >= FUZZY_MIN_LEN and not word.isdigit():
            self.deletes[word].add(word)
            for d in _deletes(word):
                self.deletes[d].add(word)


class AnswerConcepts:
    """Every mention of every concept in one answer, found in one pass over its words
    (exact, plural, hyphen-joined or misspelt)."""

    def __init__(self, text: NormalizedText, index: ConceptIndex) -> None:
        self.index = index
        tokens = text.tokens
        vocab = index.vocabulary
        resolved: dict[str, set[str]] = {}
        canon: list[set[str]] = []
        for token in tokens:
            word = token.text
            if word not in resolved:
                resolved[word] = self._resolve(word, vocab)
            canon.append(resolved[word])
        found: dict[str, set[Mention]] = defaultdict(set)
        singles, pairs = index.singles, index.pairs
        count = len(tokens)
        for p in range(count):
            here = canon[p]
            for word in here:
                for key in singles.get(word, ()):
                    found[key].add(Mention(p, p))
            if p + 1 >= count:
                continue
            for word in here:
                for second in canon[p + 1]:
                    for key, term in pairs.get((word, second), ()):
                        last = p + len(term) - 1
                        if last < count and all(
                            term[k] in canon[p + k] for k in range(2, len(term))
                        ):
                            found[key].add(Mention(p, last))
            if tokens[p + 1].start - tokens[p].end <= 1:
                for key in singles.get(tokens[p].text + tokens[p + 1].text, ()):
                    found[key].add(Mention(p, p + 1))
        self.found = {key: sorted(hits) for key, hits in found.items()}

    def _resolve(self, word: str, vocab: set[str]) -> set[str]:
        if word in vocab:
            return {word}
        out = set()
        if word.endswith("'s") and word[:-2] in vocab:
            out.add(word[:-2])
        for suffix in ("s", "es"):
            if word.endswith(suffix) and word[: -len(suffix)] in vocab:
                out.add(word[: -len(suffix)])
        if out or len(word) < FUZZY_MIN_LEN - 1 or word in _NOT_TYPOS or word.isdigit():
            return out
        candidates: set[str] = set(self.index.deletes.get(word, ()))
        for d in _deletes(word):
            candidates |= self.index.deletes.get(d, set())
        return {c for c in candidates if c[0] == word[0] and _within_one_edit(word, c)}

    def mentions(self, key: str) -> list[Mention]:
        if key not in self.index.keys:
            raise KeyError(f"concept {key!r} was not compiled into the rubric's index")
        return self.found.get(key, [])
