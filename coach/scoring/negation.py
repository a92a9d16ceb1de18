"""Is a mention asserted, or only negated or dismissed in its clause?

"you don't need atomic rename", "I wouldn't bother with NVLink", "no PFC", "atomic rename is
overkill", "instead of InfiniBand": the mention does not earn the concept. "not only NVLink
but also ..." does. The scope is the clause: a comma, semicolon, "but", "because", "and", ...
ends it. A claim that is reported in order to be rejected is dismissed whole, whatever its
clauses: "the idea that prefill is compute-bound and decode is memory-bound is overstated",
"it is a myth that decode is compute-bound". A clause that dismisses its subject ("commit
markers and manifests are a nice-to-have at best", "GPUDirect RDMA rarely matters") or its
object ("people overthink rail-optimised fabrics", "SHARP is a feature I'd skip") dismisses the
mentions in it, and "they are optional" / "people overthink it" the list they refer to.
"""

from __future__ import annotations

from coach.scoring.text import Token

# How far (in words, articles not counted) each cue reaches forward. "Don't" negates the whole
# verb phrase ("I don't think you need NVLink"); "no"/"without" the noun phrase after them;
# a negated copula only what follows it directly ("it isn't RDMA"), so "memory isn't wasted on
# fragmentation" still mentions fragmentation.
_VERB_CUES = frozenset(
    """don't dont doesn't doesnt didn't didnt won't wont wouldn't wouldnt shouldn't shouldnt
    can't cant cannot needn't never nobody nothing""".split()
)
_NOUN_CUES = frozenset(
    """no without neither nor skip skipping avoid avoiding rather instead forget ignore
    ignoring lacks lacking drop dropping minus""".split()
)
_COPULA_CUES = frozenset("isn't isnt aren't arent wasn't weren't".split())
_COPULAS = frozenset("is are was were be been being".split())
_REACH = {"verb": 8, "noun": 4, "copula": 2}
_ARTICLES = frozenset({"a", "an", "the"})
_NOT_NEGATING_NEXT = frozenset({"only", "just", "merely", "simply", "least", "necessarily", "but"})
_NEGATORS = frozenset(
    """not no never isn't isnt aren't arent doesn't doesnt don't dont wasn't won't wont
    wouldn't wouldnt shouldn't can't cannot""".split()
)
_NEED_WORDS = frozenset(
    """needed necessary required important matter matters help helps useful relevant
    worth needs need concern problem issue scale scales survive survives""".split()
)
_DISMISSIVE_AFTER = frozenset(
    """unnecessary overkill irrelevant pointless useless unneeded obsolete
    optional overrated overhyped unimportant fad gimmick overstated overblown exaggerated
    hype myth nonsense""".split()
)
# "the idea that <claim> is overstated": a reported claim, dismissed by a later verdict.
_CLAIM_NOUNS = frozenset("idea claim notion belief assumption story narrative argument".split())
_VERDICTS = _DISMISSIVE_AFTER | frozenset(
    "wrong false untrue incorrect mistaken misleading outdated bogus unfounded".split()
)
_TRUE_WORDS = frozenset("true correct accurate right valid real".split())
# "it is a myth that <claim>": the verdict comes first and covers the rest of the sentence.
_VERDICT_FIRST = frozenset("myth misconception false untrue wrong nonsense".split())
_SCOPE_BREAKS = frozenset(
    {"and", "so", "because", "since", "which", "then", "therefore", "vs", "versus"}
)  # "no fragmentation vs 60-80% waste"
LOOK_BACK = 8
LOOK_AHEAD = 5


def _reach(tokens: list[Token], i: int) -> int:
    word = tokens[i].text
    if word in _VERB_CUES:
        return _REACH["verb"]
    if word in _NOUN_CUES:
        return _REACH["noun"]
    if word in _COPULA_CUES:
        return _REACH["copula"]
    if word == "not":
        before = tokens[i - 1].text if i > 0 else ""
        return _REACH["copula"] if before in _COPULAS else _REACH["verb"]
    return 0


def negated_before(tokens: list[Token], first: int) -> bool:
    """A negation cue earlier in the clause reaches tokens[first]."""
    clause = tokens[first].clause
    distance = 0
    for i in range(first - 1, max(first - 1 - LOOK_BACK, -1), -1):
        tok = tokens[i]
        if tok.clause != clause or tok.text in _SCOPE_BREAKS:
            break
        reach = _reach(tokens, i)
        if reach and distance < reach:
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if nxt not in _NOT_NEGATING_NEXT:
                return True
        if tok.text not in _ARTICLES:
            distance += 1
    return False


def dismissed_after(tokens: list[Token], last: int, folded: str = "") -> bool:
    """The rest of the clause after tokens[last] dismisses it ("... is overkill", "... isn't
    needed"), or, in a table, the next cell does ("| GPUDirect RDMA | Not needed |")."""
    clause = tokens[last].clause
    crossed = False
    end = min(last + 1 + LOOK_AHEAD, len(tokens))
    for i in range(last + 1, end):
        tok = tokens[i]
        if tok.clause != clause and not crossed and _next_cell(folded, tokens[i - 1], tok):
            clause, crossed = tok.clause, True
        if tok.clause != clause or tok.text in _SCOPE_BREAKS:
            break
        if tok.text in _DISMISSIVE_AFTER:
            return tokens[i - 1].text not in _NEGATORS  # "is not optional"
        if tok.text in _NEGATORS:
            window = [t.text for t in tokens[i + 1 : min(i + 4, len(tokens))]]
            if any(w in _NEED_WORDS for w in window):
                return True
    return False


def _next_cell(folded: str, left: Token, right: Token) -> bool:
    """Only a table cell border lies between two tokens."""
    return folded[left.end : right.start].strip() == "|"


def _rejects(tokens: list[Token], i: int) -> bool:
    """tokens[i] passes a negative verdict on a claim: "overstated", "isn't true"."""
    word = tokens[i].text
    if word in _VERDICTS:  # "... is overstated", "... is a myth", "... is simply wrong"
        return any(t.text in _COPULAS or t.text == "seems" for t in tokens[max(0, i - 3) : i])
    following = {t.text for t in tokens[i + 1 : i + 5] if t.sentence == tokens[i].sentence}
    # "isn't true", "I don't think that distinction matters"
    return word in _NEGATORS and bool(following & (_TRUE_WORDS | _NEED_WORDS))


# "Sure, the textbook answer is NVLink, NDR, an HCA per GPU... I'd push back on most of that.":
# a sentence that opens by rejecting "that" rejects the sentence before it.
_REJECT_OPENERS = frozenset("i i'd i'll i'm would will but honestly frankly and so".split())
_REJECT_VERBS = (
    ("push", "back", "on"), ("disagree", "with"), ("don't", "buy"), ("wouldn't", "buy"),
    ("reject",), ("dispute",),
)  # fmt: skip
_REJECT_AMOUNT = frozenset("most all much some a lot of".split())
_REJECT_OBJECTS = frozenset("that this those it".split())


def _rejects_sentence_before(tokens: list[Token], first: int) -> bool:
    """The sentence starting at tokens[first] opens by rejecting the one before it."""
    i, sentence = first, tokens[first].sentence
    while i < len(tokens) and tokens[i].text in _REJECT_OPENERS and i - first < 3:
        i += 1
    for verb in _REJECT_VERBS:
        if tuple(t.text for t in tokens[i : i + len(verb)]) == verb:
            rest = [t for t in tokens[i + len(verb) : i + len(verb) + 5] if t.sentence == sentence]
            words = [t.text for t in rest]
            while words and words[0] in _REJECT_AMOUNT:
                words.pop(0)
            return bool(words) and words[0] in _REJECT_OBJECTS
    return False


def rejected_claims(tokens: list[Token]) -> set[int]:
    """Indices of tokens inside a claim the answer reports only to reject it."""
    out: set[int] = set()
    starts = [
        t.position for t in tokens if t.position and t.sentence != tokens[t.position - 1].sentence
    ]
    for first in starts:
        if _rejects_sentence_before(tokens, first):
            before = tokens[first - 1].sentence
            out.update(j for j in range(max(0, first - 120), first) if tokens[j].sentence == before)
    for i in [i for i, tok in enumerate(tokens) if tok.text == "that" and i > 0]:
        previous = tokens[i - 1].text
        if previous in ("is", "goes", "was") and i > 1:  # "the usual story is that ..."
            previous = tokens[i - 2].text
        if previous in _TRUE_WORDS and i > 1 and tokens[i - 2].text in _NEGATORS:
            previous = "untrue"  # "it is not true that NCCL always uses ring"
        if not (previous in _VERDICT_FIRST or previous in _CLAIM_NOUNS):
            continue
        end = i + 1
        while end < len(tokens) and tokens[end].sentence == tokens[i].sentence:
            end += 1
        if previous in _VERDICT_FIRST:
            out.update(range(i + 1, end))
            continue
        verdict = next((j for j in range(i + 2, end) if _rejects(tokens, j)), None)
        if verdict is not None:
            out.update(range(i + 1, verdict))
    return out


# A clause that passes judgement on what it talks about.
_DISMISSALS = _DISMISSIVE_AFTER | frozenset(
    """academic theatre theater luxury curiosity superfluous overengineering overengineered
    distraction premature oversold fantasy toy mistake antipattern marketing upsell theoretical
    relic relics holdover upselling upsold fiddly finicky overbuying overbuy whiteboard""".split()
)
# "X is cargo cult", "X is a solved problem", "X is a non-issue", "X is a waste of storage"
_DISMISSIVE_PHRASES = ("nice to have", "cargo cult", "solved problem", "non issue", "waste of",
                       "benchmark trick", "edge case", "looking for a problem", "bad idea",
                       "anti pattern", "over engineering", "over engineered",
                       "theory than practice", "micro optimisation", "micro optimization",
                       "rabbit hole", "nice paper but", "nice idea but", "on paper but",
                       "in theory but", "in benchmarks but", "slide deck", "for what it buys",
                       "for what it gives", "spec sheet", "because it exists", "selling you",
                       "knobs nobody", "nobody really needs")  # fmt: skip
_OVERTHINK = frozenset(
    """overthink overthinks overthinking overthought overengineer overengineers
    overcomplicate overcomplicates overcomplicating""".split()
)
_MODALS = frozenset("i'd we'd you'd would can could should i'll we'll safely just".split())
_RARELY = frozenset("rarely seldom hardly barely".split())
_MATTERS = frozenset("matter matters help helps change changes pay pays".split())
_VERDICT_COPULAS = _COPULAS | frozenset(
    "it's that's they're these're gets get looks sounds feels feel seems seem too".split()
)
_BACK_REFERENCES = frozenset("it them this these those all that".split())
_PLURAL_SUBJECTS = frozenset("they these those both all".split())
_THING_WORDS = frozenset("thing things something practice practices step steps one".split())
_JUDGE_WORDS = _VERDICT_COPULAS | _OVERTHINK | _RARELY | _DISMISSALS | {
    "skip", "skipped", "ignore", "reason", "none", "nobody", "noone", "bother", "bothered", "not",
}  # fmt: skip
# "FP8 KV I'd skip too": nothing after the verb but these, so the verdict is on what precedes it.
_TRAILING = frozenset("too either entirely altogether completely also honestly frankly".split())
# "PagedAttention is clever, but in my experience it's overrated": a pronoun subject is the
# sentence's earlier mention.
_PRONOUN_VERDICTS = frozenset("it's that's they're".split())
_PRONOUNS = frozenset("it they this that".split())
# A clause that names nothing before its verb: "we never bothered", "I'd just skip that".
_NAMELESS = frozenset(
    """i we you they i'd we'd you'd i'll we'll would could should can will just never
    honestly frankly really simply also so and but then not didn't don't wouldn't won't
    probably""".split()
)


def _judges(tokens: list[Token], i: int) -> str | None:
    """Does tokens[i] start a dismissive verdict? "subject": on what comes before it in the
    clause ("X is overkill", "X rarely matters"); "clause": on the whole clause ("people
    overthink X", "X is a lever I'd skip": what follows the verb, else what precedes it);
    "back": on the sentence before it ("pools, a router, NIXL: none of that is needed")."""
    word = tokens[i].text
    if word in _VERDICT_COPULAS:
        after = [t.text for t in tokens[i + 1 : i + 4] if t.clause == tokens[i].clause]
        if any(w in _NEGATORS or w in ("far", "anything") for w in after):
            return None  # "is not optional", "is far from academic"
        if any(w in _DISMISSALS for w in after):
            return "subject"  # "... is overkill"
        following = " ".join(t.text for t in tokens[i + 1 : i + 9])
        if any(p in following for p in _DISMISSIVE_PHRASES):
            return "subject"  # "... is a nice-to-have", "... is cargo cult"
        return None
    if word in _OVERTHINK:
        return "clause"
    if _verdict_sentence(tokens, i):
        return "previous"  # "Heterogeneous hardware, Splitwise-style? Overkill."
    if word in ("skip", "skipped", "ignore") and i > 0 and tokens[i - 1].text in _MODALS | {"be"}:
        return "clause"  # "I'd skip SHARP", "you can ignore them"
    if (
        word in ("bother", "bothered")
        and tokens[i - 1].text != "to"  # "When not to bother: short prompts, ..." is a label
        and any(
            t.text in _NEGATORS for t in tokens[max(0, i - 4) : i] if t.clause == tokens[i].clause
        )
    ):
        return "clause"  # "we never bothered (with it)", "I wouldn't bother"
    if (
        word in ("nobody", "noone")
        and i > 0
        and tokens[i - 1].text in _THING_WORDS
        and _ends_clause_after_verb(tokens, i)
    ):
        return "subject"  # "validation is another thing nobody actually does"
    if word in _RARELY and i + 1 < len(tokens) and tokens[i + 1].text in _MATTERS:
        return "subject"
    if (
        word == "none"
        and [t.text for t in tokens[i + 1 : i + 3]]
        in ([["of", w] for w in _BACK_REFERENCES | {"that", "which"}])
        and any(
            t.text in _NEED_WORDS for t in tokens[i + 3 : i + 7] if t.clause == tokens[i].clause
        )
    ):
        # "pools, a router, NIXL: none of that is needed", not "activations, which none of
        # this sharding touches"
        return "back"
    if word == "reason" and 0 < i < len(tokens) - 1 and tokens[i + 1].text == "to":
        before = [t.text for t in tokens[max(0, i - 2) : i]]
        if before[-1:] == ["no"] or before == ["no", "real"]:
            return "clause"  # "there's no real reason to co-locate the pools"
    return None


VERDICT_SENTENCE_MAX = 8
_VERDICT_OPENERS = frozenset("honestly frankly probably nice idea but imo".split())


def _verdict_sentence(tokens: list[Token], i: int) -> bool:
    """tokens[i] opens a short sentence that is only a verdict ("Overkill.", "Not worth the
    complexity in my view.", "Nice idea, not worth the engineering."): it judges the sentence
    before it."""
    sentence = tokens[i].sentence
    first = i
    while first > 0 and tokens[first - 1].sentence == sentence:
        first -= 1
    if first == 0 or any(t.text not in _VERDICT_OPENERS for t in tokens[first:i]):
        return False
    length = 0  # to the end of its clause: "Not worth the complexity in my view; a sync save ..."
    while i + length < len(tokens) and tokens[i + length].clause == tokens[i].clause:
        length += 1
    word = tokens[i].text
    if word in _DISMISSALS:
        return length <= 2  # "Overkill.", not "Optional global KV store for prefix reuse."
    following = [t.text for t in tokens[i + 1 : i + 2]]
    return (
        word == "not"
        and following in (["worth"], ["needed"])
        and (i - first) + length <= VERDICT_SENTENCE_MAX
    )


def _ends_clause_after_verb(tokens: list[Token], i: int) -> bool:
    """Only a verb (and perhaps an adverb) follows tokens[i] in its clause: "... nobody
    actually does", not "nobody does prefix-affinity routing"."""
    rest = 0
    while i + 1 + rest < len(tokens) and tokens[i + 1 + rest].clause == tokens[i].clause:
        rest += 1
        if rest > 2:
            return False
    return rest >= 1


def _clause_start(tokens: list[Token], folded: str, i: int) -> int:
    """The first token of tokens[i]'s clause, reading over a parenthesis inside it: the subject
    of "Young's sqrt(2 C MTBF) is academic" is Young's."""
    start, clause = i, tokens[i].clause
    while start > 0:
        before = tokens[start - 1]
        if before.clause == clause:
            start -= 1
            continue
        gap = folded[before.end : tokens[start].start]
        opening = folded.rfind("(", 0, tokens[start].start)
        if ")" not in gap or opening < 0:
            break
        outer = start - 1
        while outer >= 0 and tokens[outer].end > opening:
            outer -= 1
        if outer < 0 or tokens[outer].sentence != tokens[i].sentence:
            break
        start, clause = outer, tokens[outer].clause
    return start


def _list_start(tokens: list[Token], folded: str, start: int, verdict: int) -> int:
    """Where an enumerated subject begins: "H2O, StreamingLLM and the rest are academic" judges
    all three, not only the last comma-separated item; a subject that is only "that's" or
    "it's" after a colon judges the items before it ("fat trees, SHARP: that's overkill")."""
    subject = [t.text for t in tokens[start:verdict]]
    enumerated = bool({"and", "or", "rest", "others"} & set(subject))
    after_colon = (
        verdict == start > 0 and folded[tokens[start - 1].end : tokens[start].start].strip() == ":"
    )
    if not (enumerated or after_colon):
        return start
    sentence = tokens[start].sentence
    while start > 0 and tokens[start - 1].sentence == sentence:
        if folded[tokens[start - 1].end : tokens[start].start].strip() not in (",", ":"):
            break
        item = start - 1
        while item > 0 and tokens[item - 1].clause == tokens[start - 1].clause:
            item -= 1
        if start - item > 4 or tokens[item].sentence != sentence:
            break  # a clause with a verb of its own, not an item of the list
        start = item
    return start


def dismissed_clauses(tokens: list[Token], folded: str) -> set[int]:
    """Indices of tokens that a dismissive clause passes judgement on."""
    out: set[int] = set()
    count = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.text not in _JUDGE_WORDS:
            continue
        scope = _judges(tokens, i)
        if scope is None:
            continue
        start = _clause_start(tokens, folded, i)
        stop = i + 1
        while stop < count and tokens[stop].clause == tok.clause:
            stop += 1
        if scope == "back":
            out.update(
                j for j in range(max(0, start - 60), stop) if tokens[j].sentence == tok.sentence
            )
            continue
        if scope == "previous":
            out.update(
                j for j in range(max(0, i - 80), i) if tokens[j].sentence == tok.sentence - 1
            )
            continue
        if scope == "subject":
            start = _list_start(tokens, folded, start, i)
        objectless = all(tokens[j].text in _TRAILING for j in range(i + 1, stop))
        if scope == "subject" or objectless:  # "X is a lever I'd skip", "X I'd skip too"
            out.update(range(start, i))
        else:  # "I'd skip SHARP", "people overthink rail-optimised fabrics"
            out.update(range(i + 1, stop))
        sentence = [
            j for j in range(max(0, start - 60), start) if tokens[j].sentence == tok.sentence
        ]
        if scope == "clause" and i + 1 < stop and tokens[i + 1].text in _BACK_REFERENCES:
            out.update(sentence)  # "checksums, test restores, NaN guards: people overthink it"
        if (
            scope == "clause"
            and not sentence
            and (objectless or tokens[i + 1].text in _BACK_REFERENCES)
            and all(tokens[j].text in _NAMELESS for j in range(start, i))
        ):
            # "Prefix caching? We never bothered.", "PagedAttention? I'd skip that." judge the
            # question before them
            out.update(
                j
                for j in range(max(0, start - 60), start)
                if tokens[j].sentence == tok.sentence - 1
            )
        elif (
            scope == "subject"
            and sentence
            and (
                tok.text in _PRONOUN_VERDICTS
                or any(tokens[j].text in _PRONOUNS for j in range(start, i))
            )
        ):
            # "X is clever, but in my experience it's overrated": the clause before
            clause = tokens[start - 1].clause
            out.update(j for j in sentence if tokens[j].clause == clause)
        elif scope == "subject" and tokens[start].text in _PLURAL_SUBJECTS and not sentence:
            # "HSDP and MiCS keep all-gathers on NVLink. They are a nice-to-have at best."
            out.update(j for j in range(max(0, start - 60), start)
                       if tokens[j].sentence == tok.sentence - 1)  # fmt: skip
    return out


class Negation:
    """Whether tokens[first..last] of one answer sit in a negated or dismissive clause,
    remembering each token's verdict (many concepts, patterns and figures ask about the same
    words)."""

    def __init__(self, tokens: list[Token], folded: str) -> None:
        self.tokens = tokens
        self.folded = folded
        self._before: dict[int, bool] = {}
        self._after: dict[int, bool] = {}
        self._rejected = rejected_claims(tokens) | dismissed_clauses(tokens, folded)

    def __call__(self, first: int, last: int) -> bool:
        if first in self._rejected:
            return True
        before = self._before.get(first)
        if before is None:
            before = self._before[first] = negated_before(self.tokens, first)
        if before:
            return True
        after = self._after.get(last)
        if after is None:
            after = self._after[last] = dismissed_after(self.tokens, last, self.folded)
        return after
