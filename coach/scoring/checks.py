"""Check kinds: one small pure function per YAML `type:`, in a name-keyed registry.

Each check returns an Outcome: pass / fail / unscored, the spans of the answer it relied on,
and a note when a mention did not count (negated) or the check could not run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import regex

from coach.scoring.concepts import AnswerConcepts, ConceptIndex, Mention
from coach.scoring.negation import Negation
from coach.scoring.prefilter import may_match
from coach.scoring.result import Status
from coach.scoring.rubric import (
    REGEX_TIMEOUT_S,
    AllCheck,
    AnyCheck,
    AtLeastCheck,
    ConceptCheck,
    ConceptSpec,
    NearCheck,
    QuantityCheck,
    RegexCheck,
)
from coach.scoring.text import NormalizedText, Token
from coach.scoring.units import Quantity, find_quantities, says_spoken_quantity

Span = tuple[int, int]
"""[start, end) in the folded normalised text."""


@dataclass
class Outcome:
    status: Status
    spans: list[Span] = field(default_factory=list)
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS


@dataclass
class Context:
    """One answer, prepared once and shared by every check of one rubric."""

    text: NormalizedText
    concepts: AnswerConcepts
    index: ConceptIndex
    excluded_sentences: frozenset[int] = frozenset()
    """Sentences that address the grader: nothing in them earns or costs points."""
    excluded_tokens: frozenset[int] = frozenset()
    """Tokens that must not count either (a claim the answer only reports - quoted, a named
    pitfall, the case of a warning - when judging misconceptions)."""
    list_like: frozenset[int] = frozenset()
    """Sentences that only list terms: evidence there earns half credit."""
    decisive: bool = False
    """Only pass/fail matters (misconceptions): composite checks stop at the verdict."""
    _quantities: list[tuple[Quantity, int]] | None = None
    _negation: Negation | None = None
    _parent: Context | None = None
    """The context this one narrows (see `narrowed`): what it found is filtered, not redone."""
    _mentions: dict[str, list[Mention]] = field(default_factory=dict)
    _asserted: dict[str, list[Mention]] = field(default_factory=dict)
    _regex: dict[tuple[str, bool, bool], Outcome] = field(default_factory=dict)
    """Outcomes of patterns already run: a misconception's pattern is often also the `unless`
    of the criterion it contradicts."""

    @property
    def negated(self) -> Negation:
        if self._negation is None:
            self._negation = Negation(self.text.tokens, self.text.folded)
        return self._negation

    def narrowed(self, excluded_tokens: frozenset[int]) -> Context:
        """This answer with these tokens left out as well, judging only verdicts. Whether a
        word is negated does not depend on what is left out, so that is shared, and mentions
        and figures are this context's, filtered."""
        return Context(
            self.text,
            self.concepts,
            self.index,
            excluded_sentences=self.excluded_sentences,
            excluded_tokens=self.excluded_tokens | excluded_tokens,
            list_like=self.list_like,
            decisive=True,
            _negation=self.negated,
            _parent=self,
        )

    def _kept(self, found: list[Mention]) -> list[Mention]:
        return [m for m in found if m.first not in self.excluded_tokens]

    def mentions(self, spec: str | list[str]) -> list[Mention]:
        key = spec if isinstance(spec, str) else ConceptIndex.inline_key(spec)
        if key not in self._mentions and self._parent is not None:
            self._mentions[key] = self._kept(self._parent.mentions(spec))
        if key not in self._mentions:
            found = self.concepts.mentions(key)
            if self.excluded_sentences or self.excluded_tokens:
                tokens = self.text.tokens
                found = [
                    m
                    for m in found
                    if tokens[m.first].sentence not in self.excluded_sentences
                    and m.first not in self.excluded_tokens
                ]
            self._mentions[key] = found
        return self._mentions[key]

    def asserted(self, spec: str | list[str]) -> list[Mention]:
        """Mentions outside a negated or dismissive clause."""
        key = spec if isinstance(spec, str) else ConceptIndex.inline_key(spec)
        if key not in self._asserted and self._parent is not None:
            self._asserted[key] = self._kept(self._parent.asserted(spec))
        if key not in self._asserted:
            self._asserted[key] = [
                m for m in self.mentions(spec) if not self.negated(m.first, m.last)
            ]
        return self._asserted[key]

    def sentence_of(self, offset: int) -> int:
        return self.text.tokens[self.text.token_at(offset)].sentence

    def explained(self, spans: list[Span]) -> bool:
        """Some of this evidence sits in explained prose, not only in lists of terms."""
        if not self.text.tokens:
            return False
        return any(self.sentence_of(start) not in self.list_like for start, _ in spans)

    def span(self, first: int, last: int) -> Span:
        tokens = self.text.tokens
        return (tokens[first].start, tokens[last].end)

    def quantities(self) -> list[tuple[Quantity, int]]:
        """Quantities with the index of the token where each starts."""
        if self._quantities is None and self._parent is not None:
            parent = self._parent.quantities()
            self._quantities = [(q, tok) for q, tok in parent if tok not in self.excluded_tokens]
        if self._quantities is None:
            found = []
            words = [token.text for token in self.text.tokens]
            for q in find_quantities(self.text.cased, spoken=says_spoken_quantity(words)):
                tok = self.text.token_at(self.text.cased_to_folded(q.start))
                if tok < len(self.text.tokens):
                    if (
                        self.text.tokens[tok].sentence in self.excluded_sentences
                        or tok in self.excluded_tokens
                    ):
                        continue
                    found.append((q, tok))
            self._quantities = found
        return self._quantities

    def folded_span(self, q: Quantity) -> Span:
        return (self.text.cased_to_folded(q.start), self.text.cased_to_folded(q.end - 1) + 1)


NEGATED = "appears only in a negated or dismissive clause, so it does not count."


def _negation_note(what: str) -> str:
    return f"{what} {NEGATED}"


def concept(check: ConceptCheck, ctx: Context) -> Outcome:
    mentions = ctx.mentions(check.concept)
    if not mentions:
        return Outcome(Status.FAIL)
    asserted = ctx.asserted(check.concept) if check.negatable else mentions
    if asserted:
        return Outcome(Status.PASS, [ctx.span(m.first, m.last) for m in asserted])
    spans = [ctx.span(m.first, m.last) for m in mentions]
    return Outcome(Status.FAIL, spans, _negation_note("The term"))


@functools.lru_cache(maxsize=2048)
def compiled_pattern(
    pattern: str, case_sensitive: bool, ascii_text: bool = False
) -> regex.Pattern[str]:
    r"""A rubric pattern compiled for the text it will scan.

    Case-insensitive patterns scan the case-folded answer, so a pattern that is itself
    case-folded needs no IGNORECASE; an all-ASCII answer can be scanned in ASCII mode, where
    \w, \b, \d and \s mean what they mean in Unicode mode on ASCII text. Both are
    cheaper and neither changes a match.
    """
    flags = regex.VERSION0
    if not case_sensitive and pattern != pattern.casefold():
        flags |= regex.IGNORECASE
    if ascii_text:
        flags |= regex.ASCII
    return regex.compile(pattern, flags)


def regex_check(check: RegexCheck, ctx: Context) -> Outcome:
    key = (check.pattern, check.case_sensitive, check.negatable)
    outcome = ctx._regex.get(key)
    if outcome is None and ctx._parent is not None and key in ctx._parent._regex:
        # A narrowed context keeps the parent's matches outside the tokens it leaves out (it is
        # decisive: a verdict and its evidence, no note).
        parent = ctx._parent._regex[key]
        if parent.status is Status.UNSCORED:
            return parent
        kept = [s for s in parent.spans if ctx.text.token_at(s[0]) not in ctx.excluded_tokens]
        outcome = ctx._regex[key] = (
            Outcome(Status.PASS, kept) if parent.passed and kept else Outcome(Status.FAIL)
        )
    if outcome is None:
        outcome = ctx._regex[key] = _regex_outcome(check, ctx)
    return outcome


def _regex_outcome(check: RegexCheck, ctx: Context) -> Outcome:
    text = ctx.text
    haystack = text.cased if check.case_sensitive else text.folded
    if not may_match(check.pattern, haystack, ignore_case=not check.case_sensitive):
        return Outcome(Status.FAIL)
    try:
        pattern = compiled_pattern(check.pattern, check.case_sensitive, text.plain_ascii)
        matches = list(pattern.finditer(haystack, timeout=REGEX_TIMEOUT_S))
    except TimeoutError:
        return Outcome(Status.UNSCORED, note="The pattern took too long on this answer.")
    asserted: list[Span] = []
    negated: list[Span] = []
    tokens = ctx.text.tokens
    for m in matches:
        if m.end() <= m.start():
            continue
        start, end = m.start(), m.end()
        if check.case_sensitive:
            start, end = ctx.text.cased_to_folded(start), ctx.text.cased_to_folded(end - 1) + 1
        first = ctx.text.token_at(start)
        last = min(max(first, ctx.text.token_at(end) - 1), len(tokens) - 1)
        if (
            first >= len(tokens)
            or tokens[first].sentence in ctx.excluded_sentences
            or first in ctx.excluded_tokens
            or last in ctx.excluded_tokens  # 'Eviction: the "LRU evicts blocks in use" story ...'
        ):
            continue
        if check.negatable and ctx.negated(first, last):
            negated.append((start, end))
        else:
            asserted.append((start, end))
    if asserted:
        return Outcome(Status.PASS, asserted)
    return Outcome(Status.FAIL, negated, _negation_note("The phrase") if negated else "")


def _in_window(q: Quantity, check: QuantityCheck) -> bool:
    if q.unit.dimension != check.target.dimension:
        return False
    if check.written_as != "any" and q.unit.family != check.written_as:
        return False
    lo, hi = check.bounds
    a, b = q.lo * q.unit.factor, q.hi * q.unit.factor
    return lo <= a <= hi or lo <= b <= hi or lo <= (a + b) / 2 <= hi


def _close(
    ctx: Context, tok: int, spec: str | list[str], within: int, last: int | None = None
) -> list[Mention]:
    """Mentions in the sentence of the figure starting at token tok, at most `within` words from
    its start or inside it, up to token `last` ("four hundred gigabytes a second per port" names
    its port itself)."""
    sentence = ctx.text.tokens[tok].sentence
    tokens = ctx.text.tokens
    last = tok if last is None else last
    head = ctx.text.column_heads.get(tok)  # "| Model | bytes/token |" over "| ... | 320 KiB |"
    return [
        m
        for m in ctx.mentions(spec)
        if (
            tokens[m.first].sentence == sentence
            and (tok <= m.first <= last or min(abs(m.first - tok), abs(m.last - tok)) <= within)
        )
        or (head is not None and head[0] <= m.first and m.last <= head[1])
    ]


def quantity(check: QuantityCheck, ctx: Context) -> Outcome:
    asserted: list[Span] = []
    negated: list[Span] = []
    for q, tok in ctx.quantities():
        if not _in_window(q, check):
            continue
        if check.unless_near is not None and _close(ctx, tok, check.unless_near, check.within):
            continue
        span = ctx.folded_span(q)
        spans = [span]
        if check.near is not None:
            last = max(tok, ctx.text.token_at(span[1] - 1))
            near = _close(ctx, tok, check.near, check.within, last)
            if not near:
                continue
            spans += [ctx.span(m.first, m.last) for m in near[:1]]
        if check.negatable and ctx.negated(tok, tok):
            negated += spans
        else:
            asserted += spans
    if asserted:
        return Outcome(Status.PASS, asserted)
    return Outcome(Status.FAIL, negated, _negation_note("The figure") if negated else "")


def _column_pair(ctx: Context, a_hits: list[Mention], b_hits: list[Mention]) -> Outcome | None:
    """In a markdown table a cell is said of its column's header: "| | Prefill | Decode |" over
    "| Bound | compute | HBM bandwidth |". PASS when one side heads the other's column, else
    None (the table does not decide)."""
    heads = ctx.text.column_heads
    for inner, outer in ((b_hits, a_hits), (a_hits, b_hits)):
        for m in inner:
            head = heads.get(m.first)
            if head is None:
                continue
            for o in outer:
                if head[0] <= o.first and o.last <= head[1]:
                    return Outcome(
                        Status.PASS, [ctx.span(m.first, m.last), ctx.span(o.first, o.last)]
                    )
    return None


def near(check: NearCheck, ctx: Context) -> Outcome:
    tokens = ctx.text.tokens
    a_hits, b_hits = ctx.asserted(check.a), ctx.asserted(check.b)
    if ctx.text.column_heads:
        decided = _column_pair(ctx, a_hits, b_hits)
        if decided is not None:
            return decided
        if check.rival is not None:
            # b in a column headed by a rival is said of the rival, not of a.
            heads = ctx.text.column_heads
            rivals = ctx.asserted(check.rival)
            b_hits = [
                b
                for b in b_hits
                if b.first not in heads
                or not any(heads[b.first][0] <= r.first <= heads[b.first][1] for r in rivals)
            ]
    for b in b_hits:
        if check.rival is not None and _conditional(tokens, b):
            continue  # "batches must reach the hundreds before decode becomes compute-bound"
        if check.rival is not None:
            subject = _subject(ctx, b, check.a, check.rival)
            candidates = [subject] if subject in a_hits else []
        else:
            candidates = a_hits
        for a in candidates:
            # With a rival, _subject has already bound b (in its sentence or through "it").
            if (
                check.same_sentence
                and check.rival is None
                and tokens[a.first].sentence != tokens[b.first].sentence
            ):
                continue
            gap = max(b.first - a.last, a.first - b.last, 0)
            if gap <= check.within and a != b:
                return Outcome(Status.PASS, [ctx.span(a.first, a.last), ctx.span(b.first, b.last)])
    return Outcome(Status.FAIL)


_CONTRAST = frozenset({"unlike", "than", "like", "versus", "vs", "whereas"})
_BECOME = frozenset(
    """become becomes becoming turn turns get gets be approach approaches approaching reach
    reaches""".split()
)
_CONDITIONS = frozenset({"before", "until", "unless", "once", "if", "when"})
_REQUIRES = frozenset({"need", "needs", "require", "requires", "would"})
_STATE_COPULAS = frozenset({"is", "are", "it's", "they're", "gets", "get"})


def _conditional(tokens: list[Token], b: Mention) -> bool:
    """b is a state something reaches only under a condition: "... before they become X",
    "it only becomes X once ...", "it only becomes X at batch sizes in the hundreds", "they
    would need batches of 200-300 to turn X", "batches in the hundreds before it's X"."""
    if b.first == 0:
        return False

    def condition(t: Token) -> bool:  # "once batches grow", not "the whole prompt at once"
        return t.text in _CONDITIONS and not (
            t.text == "once" and t.position > 0 and tokens[t.position - 1].text == "at"
        )

    if tokens[b.first - 1].text in _STATE_COPULAS:
        clause = tokens[b.first].clause
        before = tokens[max(0, b.first - 4) : b.first - 1]
        return any(condition(t) and t.clause == clause for t in before)
    if tokens[b.first - 1].text not in _BECOME:
        return False
    if b.first >= 2 and tokens[b.first - 2].text == "only":
        return True  # "decode only becomes compute-bound at batch sizes in the hundreds"
    sentence, clause = tokens[b.first].sentence, tokens[b.first].clause
    if any(condition(t) for t in tokens if t.sentence == sentence):
        return True
    before = tokens[max(0, b.first - 10) : b.first]
    return any(t.text in _REQUIRES and t.clause == clause for t in before)


_RELATIVE = frozenset({"which", "that", "who"})


def _subject(ctx: Context, b: Mention, a: ConceptSpec, rival: ConceptSpec) -> Mention | None:
    """What `b` is said of: of the mentions of `a` and of `rival` in b's sentence, the one
    right after b in its clause, else the closest before it in its clause, else one right after
    a fronted label, else the closest before it, else the closest after it; in a sentence that
    opens with "it" or "they" (or with b itself, and is no heading) and names neither, the
    previous sentence's first mention."""
    tokens = ctx.text.tokens
    sentence = tokens[b.first].sentence

    def contrasted(m: Mention) -> bool:
        """Introduced by "unlike"/"than"..., unless b is said of it in a relative clause
        ("unlike prefill, which is compute-bound")."""
        if not any(tokens[i].text in _CONTRAST for i in range(max(0, m.first - 2), m.first)):
            return False
        between = range(m.last + 1, b.first) if m.last < b.first else range(0)
        return not any(tokens[i].text in _RELATIVE for i in between)

    mentions = (*ctx.mentions(a), *ctx.mentions(rival))
    candidates = [
        m
        for m in mentions
        if tokens[m.first].sentence == sentence
        and (m.last < b.first or m.first > b.last)
        and not contrasted(m)
    ]
    if not candidates and (
        _opens_with_pronoun(ctx, sentence)
        or any(
            tokens[j].text in ("it", "them")
            for j in range(max(0, b.first - 4), b.first)
            if tokens[j].clause == tokens[b.first].clause
        )
    ):
        # "Decode makes one token per step. It's GEMV-heavy ...", "TP: NVLink only. Keep it in
        # the box.": the previous sentence's subject.
        previous = [m for m in mentions if tokens[m.first].sentence == sentence - 1]
        return min(previous) if previous else None
    if not candidates and _is_heading(ctx, sentence):
        # "2) Scale-up (inside the server). HGX H100: ... 18 NVLink links per GPU": a heading
        # is said of what the section's first sentence names.
        following = [m for m in mentions if tokens[m.first].sentence == sentence + 1]
        return min(following) if following else None
    if (
        not candidates
        and (b.first == 0 or tokens[b.first - 1].sentence != sentence)
        and (b.last + 1 == len(tokens) or tokens[b.last + 1].clause != tokens[b.last].clause)
        and ctx.text.folded[tokens[b.last].end :].lstrip()[:1] != ":"  # "Scale-out: ..." labels
    ):
        # "Prefill 4K: 5.7e14 FLOP. Compute-bound.", "BW-bound; ...": a verdict standing alone
        # is said of what the sentence before it is about.
        previous = [m for m in mentions if tokens[m.first].sentence == sentence - 1]
        return min(previous) if previous else None
    after = [m for m in candidates if m.first > b.last]
    before = [m for m in candidates if m.last < b.first]
    first_after = min(after) if after else None
    last_before = max(before, key=lambda m: m.last) if before else None
    if first_after and first_after.first == b.last + 1 and _same_clause(tokens, b, first_after):
        return first_after  # "compute-bound prefill"
    if last_before and tokens[last_before.last].clause == tokens[b.first].clause:
        return last_before  # "prefill is compute-bound"
    if first_after and first_after.first <= b.last + 2:
        return first_after  # a fronted label: "Between nodes, InfiniBand ..."
    after_in_clause = first_after if first_after and _same_clause(tokens, b, first_after) else None
    if after_in_clause and all(
        t.text in _LINKING for t in tokens[b.last + 1 : after_in_clause.first]
    ):
        # "InfiniBand carries inter-node traffic; intra-node goes over NVLink"
        return after_in_clause
    if b.first > 0 and tokens[b.first - 1].text in ("the", "a", "an"):
        # "the NVLink domain, the scale-out fabric, ...": a noun phrase of its own clause, not
        # something said of the clause before
        return after_in_clause
    if b.first > 0 and tokens[b.first - 1].text == "then":
        # "reduce over NVLink inside the node first, then across nodes": a next step, not said
        # of what came before it.
        return first_after
    return last_before or first_after


_PRONOUNS = frozenset("it it's its they they're this these both".split())
# "intra-node goes over NVLink", "cross-node traffic runs on InfiniBand": b, then what carries it.
_LINKING = frozenset(
    "goes go runs run stays stay travels traffic is are uses use over via on through".split()
)


def _opens_with_pronoun(ctx: Context, sentence: int) -> bool:
    tokens = ctx.text.tokens
    first = ctx.text.token_at(ctx.text.sentence_spans[sentence][0])
    return first < len(tokens) and tokens[first].text in _PRONOUNS


HEADING_WORDS = 6


def _is_heading(ctx: Context, sentence: int) -> bool:
    """A short sentence that opens a line: "2) Scale-up (inside the server).", "Between nodes:",
    "Q: And between servers?"."""
    text, tokens = ctx.text, ctx.text.tokens
    first = text.token_at(text.sentence_spans[sentence][0])
    if first >= len(tokens):
        return False
    line_start = text.folded.rfind("\n", 0, tokens[first].start) + 1
    if text.folded[line_start : tokens[first].start].strip(" \t#>0123456789.)"):
        return False  # the sentence continues a line, or is a bullet of a list
    words = 0
    while first + words < len(tokens) and tokens[first + words].sentence == sentence:
        words += 1
    return words <= HEADING_WORDS


def _same_clause(tokens: list[Token], a: Mention, b: Mention) -> bool:
    return tokens[a.last].clause == tokens[b.first].clause


def _combine(outcomes: list[Outcome], needed: int) -> Outcome:
    passed = [o for o in outcomes if o.passed]
    unscored = [o for o in outcomes if o.status is Status.UNSCORED]
    spans = [s for o in passed for s in o.spans]
    if len(passed) >= needed:
        return Outcome(Status.PASS, spans)
    if len(passed) + len(unscored) >= needed:
        return Outcome(Status.UNSCORED, spans, unscored[0].note)
    notes = [o.note for o in outcomes if o.note]
    return Outcome(Status.FAIL, spans, notes[0] if notes else "")


def _children(check: AllCheck | AnyCheck | AtLeastCheck, ctx: Context, needed: int) -> Outcome:
    """Run a composite's children cheapest first, stopping once the rest cannot change what
    the caller uses: for a criterion, enough passes with evidence in explained prose (full
    credit is then certain); for a misconception (`ctx.decisive`), the pass/fail verdict."""
    outcomes: dict[int, Outcome] = {}
    passed = failed = 0
    prose = False
    total = len(check.checks)
    for i in check.cheapest_first:
        outcome = outcomes[i] = run(check.checks[i], ctx)
        if outcome.passed:
            passed += 1
            prose = prose or ctx.explained(outcome.spans)
        else:
            failed += 1
        if passed >= needed and (ctx.decisive or prose):
            break
        if ctx.decisive and total - failed < needed:
            break
    return _combine([outcomes[i] for i in sorted(outcomes)], needed)


def all_of(check: AllCheck, ctx: Context) -> Outcome:
    return _children(check, ctx, len(check.checks))


def any_of(check: AnyCheck, ctx: Context) -> Outcome:
    return _children(check, ctx, 1)


def at_least(check: AtLeastCheck, ctx: Context) -> Outcome:
    return _children(check, ctx, check.n)


REGISTRY: dict[str, Callable[[Any, Context], Outcome]] = {
    "all": all_of,
    "any": any_of,
    "at_least": at_least,
    "concept": concept,
    "near": near,
    "quantity": quantity,
    "regex": regex_check,
}


def run(check: Any, ctx: Context) -> Outcome:
    return REGISTRY[check.type](check, ctx)
