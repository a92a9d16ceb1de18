"""Concept matching: named synonym sets matched word-bounded, case-, hyphen- and
spacing-insensitive, tolerant of one-letter misspellings of longer words ("Infinibnd")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass
class ConceptIndex:
    """All terms of one rubric, compiled once."""

    terms: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    named: dict[str, list[str]] = field(default_factory=dict)
    """The rubric's named concepts, as written."""
    vocabulary: set[str] = field(default_factory=set)
    deletes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, concepts: dict[str, list[str]]) -> ConceptIndex:
        index = cls(named=concepts)
        for name, raw_terms in concepts.items():
            index.terms[name] = index._compile(raw_terms)
        return index

    def _compile(self, raw_terms: Iterable[str]) -> list[tuple[str, ...]]:
        compiled: list[tuple[str, ...]] = []
        for raw in raw_terms:
            tokens = term_tokens(raw)
            if not tokens:
                continue
            variants = {tokens}
            if len(tokens) > 1:
                variants.add(("".join(tokens),))
            for variant in variants:
                compiled.append(variant)
                for tok in variant:
                    self._add_word(tok)
        return compiled

    def _add_word(self, word: str) -> None:
        if word in self.vocabulary:
            return
        self.vocabulary.add(word)
        if len(word) >= FUZZY_MIN_LEN and not word.isdigit():
            self.deletes[word].add(word)
            for d in _deletes(word):
                self.deletes[d].add(word)

    def inline(self, raw_terms: list[str]) -> list[tuple[str, ...]]:
        """An inline list: each item is a concept name (expanded to its terms) or a term."""
        key = "\x00".join(raw_terms)
        if key not in self.terms:
            expanded: list[str] = []
            for raw in raw_terms:
                expanded += self.named.get(raw, [raw])
            self.terms[key] = self._compile(expanded)
        return self.terms[key]


@dataclass(frozen=True)
class Mention:
    first: int
    """Index of the first token."""
    last: int
    """Index of the last token (inclusive)."""


class AnswerConcepts:
    """Where each vocabulary word occurs in one answer (exact, plural, joined or misspelt)."""

    def __init__(self, text: NormalizedText, index: ConceptIndex) -> None:
        self.text = text
        self.index = index
        self.positions: dict[str, list[int]] = defaultdict(list)
        self.pairs: dict[str, list[int]] = defaultdict(list)
        self.fuzzy: list[int] = []
        vocab = index.vocabulary
        resolved: dict[str, set[str]] = {}
        tokens = text.tokens
        for i, token in enumerate(tokens):
            word = token.text
            if word not in resolved:
                resolved[word] = self._resolve(word, vocab)
            for canon in resolved[word]:
                self.positions[canon].append(i)
            if i + 1 < len(tokens) and tokens[i + 1].start - token.end <= 1:
                joined = word + tokens[i + 1].text
                if joined in vocab:
                    self.pairs[joined].append(i)
        self.position_sets = {word: set(found) for word, found in self.positions.items()}
        self._cache: dict[str, list[Mention]] = {}

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

    def mentions(self, key: str, terms: list[tuple[str, ...]]) -> list[Mention]:
        if key in self._cache:
            return self._cache[key]
        found: set[Mention] = set()
        for term in terms:
            head = term[0]
            if len(term) == 1:
                found.update(Mention(p, p) for p in self.positions.get(head, ()))
                found.update(Mention(p, p + 1) for p in self.pairs.get(head, ()))
                continue
            for p in self.positions.get(head, ()):
                end = p + len(term) - 1
                if all(p + k in self.position_sets.get(term[k], ()) for k in range(1, len(term))):
                    found.add(Mention(p, end))
        result = sorted(found, key=lambda m: (m.first, m.last))
        self._cache[key] = result
        return result
