"""Concept matching: named synonym sets matched word-bounded, case-, hyphen- and
spacing-insensitive, tolerant of one-letter misspellings of longer words ("Infinibnd")."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from coach.scoring.text import WORD_RE, NormalizedText

FUZZY_MIN_LEN = 6
RESOLVED_MAX = 50_000
_COORDINATORS = frozenset({"and", "or"})
_OPERATOR_RE = re.compile(r"[/=+÷]")
"""Between two numbers, an operator that a term's words do not stand for: "8 / 400 = 20 ms"
is not "8 × 400" (a term's words ignore what lies between them)."""
_DETERMINERS = frozenset(
    "the a an its their our your my his her this that these those then so also all both".split()
)
# Real words one edit away from a domain term; never read as a misspelling of it.
_NOT_TYPOS = frozenset(
    """sharing shared sharding encode encoder decoder decoded remain retain contain detain
    parallel partial pinned planned planner planning caches cached reached reaches matches
    latency latent patent talent tensor tenser sensor center counter router routes routed
    writer writes wrote trained trainer strain grains prefix prefer suffix stripe strip
    stripes striped tripe replica replicas replicate evicted evident evicts events evict
    server served severe severs sender render tender vendor bender binder blinder cluster
    clusters bluster muster faster father master matter latter letter better bitter
    connect connects connected connecting connector
    decide decides decided deciding spike spikes spiked spiky mode modes model models
    """.split()
)


# Words joined only by spaces, hyphens, underscores or slashes: a compound that is also written
# as one word. "o(n)" is not one ("on" is a word), nor is "2.5 mb".
_COMPOUND_RE = re.compile(r"[^\W_]+(?:[ \-_/]+[^\W_]+)+")


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


Term = tuple[str, ...]
"""A term as the words it is made of: ("kv", "cache")."""


@dataclass
class ConceptIndex:
    """All terms of one rubric, compiled once. Answers are matched term by term; a concept
    (named, or an inline list) is the union of its terms' mentions."""

    named: dict[str, list[str]] = field(default_factory=dict)
    """The rubric's named concepts, as written."""
    terms: dict[str, set[Term]] = field(default_factory=dict)
    """concept key -> every term (and spelling variant) that mentions it."""
    keys_of: dict[Term, list[str]] = field(default_factory=dict)
    """term -> the concept keys it mentions."""
    singles: set[str] = field(default_factory=set)
    """The one-word terms."""
    join_heads: set[str] = field(default_factory=set)
    """Proper prefixes of one-word terms: the words that may start a split spelling of one
    ("nv link" for "nvlink")."""
    pairs: dict[tuple[str, str], list[Term]] = field(default_factory=dict)
    """(first, second) word -> the multi-word terms starting so."""
    vocabulary: set[str] = field(default_factory=set)
    deletes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    resolved: dict[str, frozenset[str]] = field(default_factory=dict)
    """Answer word -> the vocabulary words it may stand for, remembered across answers
    (a pure function of the word; most words of an answer were seen in earlier ones)."""

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
        if key not in self.terms:
            expanded: list[str] = []
            for raw in raw_terms:
                expanded += self.named.get(raw, [raw])
            self._register(key, expanded)
        return key

    def _register(self, key: str, raw_terms: Iterable[str]) -> None:
        terms = self.terms.setdefault(key, set())
        for raw in raw_terms:
            tokens = term_tokens(raw)
            if not tokens:
                continue
            variants = [tokens]
            if len(tokens) > 1:
                # "earlier tokens" is also written "every earlier token", and the reverse.
                *head, last = tokens
                if last.endswith("s") and not last.endswith("ss"):
                    forms = [last[:-1], last[:-2]] if last.endswith("es") else [last[:-1]]
                else:
                    forms = [last + "s", last + "es"]
                variants += [(*head, form) for form in forms if len(form) > 1]
            if len(tokens) > 1 and _COMPOUND_RE.fullmatch(raw.casefold().strip()):
                variants.append(("".join(tokens),))  # "nv link" -> "nvlink", "k/v" -> "kv"
            for variant in variants:
                if variant in terms:
                    continue
                terms.add(variant)
                self.keys_of.setdefault(variant, []).append(key)
                if len(variant) == 1:
                    word = variant[0]
                    self.singles.add(word)
                    self.join_heads.update(word[:i] for i in range(1, len(word)))
                else:
                    bucket = self.pairs.setdefault((variant[0], variant[1]), [])
                    if variant not in bucket:
                        bucket.append(variant)
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

    def resolve(self, word: str) -> frozenset[str]:
        """The vocabulary words an answer word stands for: itself, its singular, or the
        word it misspells by one edit."""
        vocab = self.vocabulary
        if word in vocab:
            return frozenset((word,))
        out = set()
        if word.endswith("'s") and word[:-2] in vocab:
            out.add(word[:-2])
        for suffix in ("s", "es"):
            if word.endswith(suffix) and word[: -len(suffix)] in vocab:
                out.add(word[: -len(suffix)])
        if out or len(word) < FUZZY_MIN_LEN - 1 or word in _NOT_TYPOS or word.isdigit():
            return frozenset(out)
        candidates: set[str] = set(self.deletes.get(word, ()))
        for d in _deletes(word):
            candidates |= self.deletes.get(d, set())
        return frozenset(c for c in candidates if c[0] == word[0] and _within_one_edit(word, c))


class AnswerConcepts:
    """Every mention of every term in one answer, found in one pass over its words
    (exact, plural, hyphen-joined or misspelt)."""

    def __init__(self, text: NormalizedText, index: ConceptIndex) -> None:
        self.index = index
        tokens = text.tokens
        resolved = index.resolved
        if len(resolved) > RESOLVED_MAX:
            resolved.clear()
        words = [token.text for token in tokens]
        canon: list[frozenset[str]] = []
        for word in words:
            known = resolved.get(word)
            if known is None:
                known = resolved[word] = index.resolve(word)
            canon.append(known)
        found: dict[Term, list[Mention]] = defaultdict(list)
        singles, pairs, join_heads = index.singles, index.pairs, index.join_heads
        count = len(tokens)
        folded = text.folded
        # Numbers joined by an operator ("8 / 400") are a calculation, not a term's words.
        divided = {
            p
            for p in range(count - 1)
            if words[p].isdigit()
            and words[p + 1].isdigit()
            and _OPERATOR_RE.search(folded, tokens[p].end, tokens[p + 1].start)
        }
        # Most words of an answer belong to no term: visit only those that do.
        for p in [p for p, known in enumerate(canon) if known]:
            here = canon[p]
            for word in here:
                if word in singles:
                    found[(word,)].append(Mention(p, p))
            if p + 1 < count and canon[p + 1]:
                for word in here:
                    for second in canon[p + 1]:
                        for term in pairs.get((word, second), ()):
                            last = p + len(term) - 1
                            if (
                                last < count
                                and all(term[k] in canon[p + k] for k in range(2, len(term)))
                                and not (divided and divided.intersection(range(p, last)))
                            ):
                                found[term].append(Mention(p, last))
        # A word coordinated with a term's first word shares the term's other words: "prefill
        # and decode nodes" and "prefill/decode pools" mention "prefill nodes" and "prefill pools".
        touched: set[Term] = set()
        for p in [p for p, known in enumerate(canon[: count - 2]) if known]:
            if words[p + 1] in _COORDINATORS and words[p + 2] not in _DETERMINERS:
                rest = p + 3
                if rest == count:
                    continue
            elif folded[tokens[p].end : tokens[p + 1].start] == "/":
                rest = p + 2
            else:
                continue
            for word in canon[p]:
                for second in canon[rest]:
                    for term in pairs.get((word, second), ()):
                        last = rest + len(term) - 2
                        if last < count and all(
                            term[k] in canon[rest + k - 1] for k in range(2, len(term))
                        ):
                            found[term].append(Mention(p, last))
                            touched.add(term)
        for term in touched:
            found[term] = sorted(set(found[term]))
        # A term written as two words ("nv link", "infini band").
        for p in [p for p, word in enumerate(words[:-1]) if word in join_heads]:
            if tokens[p + 1].start - tokens[p].end <= 1:
                joined = words[p] + words[p + 1]
                if joined in singles:
                    hits = found[(joined,)]
                    hits.append(Mention(p, p + 1))
                    hits.sort()
        # Hand each term's mentions to every concept that has the term.
        by_key: dict[str, list[Mention]] = {}
        merged: set[str] = set()
        keys_of = index.keys_of
        for term, hits in found.items():
            for key in keys_of[term]:
                have = by_key.get(key)
                if have is None:
                    by_key[key] = hits
                else:
                    by_key[key] = have + hits
                    merged.add(key)
        for key in merged:
            by_key[key] = sorted(set(by_key[key]))
        self._by_key = by_key

    def mentions(self, key: str) -> list[Mention]:
        """Mentions of a concept key, in answer order."""
        hits = self._by_key.get(key)
        if hits is None:
            if key not in self.index.terms:
                raise KeyError(f"concept {key!r} was not compiled into the rubric's index")
            return []
        return hits
