"""grade(answer, rubric) -> Grade: deterministic, pure, explained.

Scoring policy (documented in the README):
- each criterion is met or not; its points count towards its dimension and the total;
- a criterion met only inside a keyword list (no explanation around it) earns half its points;
- unscored criteria (a check that could not run) leave the total's denominator;
- score = 100 * earned / available, minus each misconception's penalty, then capped by flags:
  keyword_stuffing caps at 35, dismissive at 30, possible_injection at 25, off_topic at 15;
  never below 0.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from coach.errors import AnswerNotText, AnswerTooLong, EmptyAnswer
from coach.scoring import arithmetic, checks, gaming
from coach.scoring.checks import Context, Outcome, Span, run
from coach.scoring.concepts import AnswerConcepts, ConceptIndex
from coach.scoring.result import (
    CriterionResult,
    DimensionScore,
    Evidence,
    Flag,
    Grade,
    MisconceptionResult,
    Status,
    band_for,
)
from coach.scoring.rubric import Criterion, Misconception, Rubric
from coach.scoring.text import NormalizedText, normalize, reported_tokens, retracted_tokens

DEFAULT_MAX_CHARS = 20_000
TOO_SHORT_WORDS = 40
"""Below this an answer has no room for the question's topics: it is too short, not off topic."""
BRIEF_WORDS = 100
BRIEF_POINTS_PER_WORD = 0.55
"""An answer under BRIEF_WORDS words is capped at this many points a word (60 words: 33): a
few dense lines can name the right facts, but not the reasoning an interviewer is listening for."""
CAPS = {
    "no_figures": 50.0,
    "keyword_stuffing": 35.0,
    "dismissive": 30.0,
    "possible_injection": 25.0,
    "off_topic": 15.0,
    "wrong_claim": 60.0,
}
SEVERAL_WRONG_CAP = 55.0
"""The wrong_claim cap of an answer charged with two misconceptions or more."""
DRIFT_SHARE = 0.45
DRIFT_MIN_WORDS = 150
"""An answer of DRIFT_MIN_WORDS or more with this share of its words in paragraphs that touch
none of the question's core topics, and give no figure, is off topic (of 2,196 stored answers,
no on-topic one passes 0.38; answers that start well and then drift sit at 0.46-0.68)."""
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
LIST_CREDIT = 0.5
ON_TOPIC_SHARE = 0.3
"""An answer that earns this share of the rubric's points is on topic, whichever of the
question's hallmark terms it happens to use."""
DISMISSED_MIN = 3
"""Criteria missed only because the answer negates or dismisses them, from which the answer is
judged dismissive: good answers reject one or two wrong practices, not the question's core."""


def check_answer(answer: object, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Validate raw input before any work: text, not empty, within the limit."""
    if isinstance(answer, bytes | bytearray):
        if len(answer) > 4 * max_chars:
            raise AnswerTooLong(len(answer), max_chars)
        try:
            answer = bytes(answer).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AnswerNotText(
                f"The answer is not valid UTF-8 text (byte {exc.start} cannot be decoded). "
                "Save it as UTF-8 and try again."
            ) from exc
    if not isinstance(answer, str):
        raise AnswerNotText(f"The answer must be text, not {type(answer).__name__}.")
    if len(answer) > max_chars:
        raise AnswerTooLong(len(answer), max_chars)
    if not answer.strip() or all(not c.isprintable() and not c.isspace() for c in answer):
        raise EmptyAnswer()
    if "\x00" in answer:
        raise AnswerNotText("The answer contains NUL characters; paste it as plain text.")
    return answer


def walk(check: Any) -> Iterator[Any]:
    """A check and every check nested in it (None: nothing)."""
    if check is None:
        return
    yield check
    for child in getattr(check, "checks", []):
        yield from walk(child)


def _inline_specs(check: Any) -> list[list[str]]:
    """Every inline term list in a check tree (they must be indexed before matching)."""
    return [
        getattr(node, name)
        for node in walk(check)
        for name in ("concept", "a", "b", "rival", "near", "unless_near")
        if isinstance(getattr(node, name, None), list)
    ]


def compiled_index(rubric: Rubric) -> ConceptIndex:
    if rubric._compiled is None:
        index = ConceptIndex.build(rubric.concepts)
        items: list[Criterion | Misconception] = [*rubric.criteria, *rubric.misconceptions]
        for item in items:
            for spec in _inline_specs(item.check) + _inline_specs(item.unless):
                index.inline(spec)
        rubric._compiled = index
    compiled: ConceptIndex = rubric._compiled
    return compiled


def prepare(rubric: Rubric) -> None:
    """Build a rubric's concept index and compile its patterns now rather than on the first
    answer (servers call this at startup so the first candidate does not wait)."""
    compiled_index(rubric)
    items: list[Criterion | Misconception] = [*rubric.criteria, *rubric.misconceptions]
    for item in items:
        for check in (item.check, item.unless):
            for node in walk(check):
                if node.type == "regex":
                    for ascii_text in (False, True):
                        checks.compiled_pattern(node.pattern, node.case_sensitive, ascii_text)


def _evidence(text: NormalizedText, spans: list[Span]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    out: list[Evidence] = []
    for start, end in sorted(spans):
        o_start, o_end = text.original_span(start, end)
        if (o_start, o_end) in seen or o_end <= o_start:
            continue
        seen.add((o_start, o_end))
        out.append(Evidence(start=o_start, end=o_end, text=text.original[o_start:o_end]))
    return out


def _arithmetic(ctx: Context, reported: list[MisconceptionResult]) -> MisconceptionResult | None:
    """Worked calculations whose stated result does not follow, as one misconception; a slip whose
    result a rubric misconception already reports ("8 GB over 400 Gb/s in 20 ms") is not counted
    twice, but a wrong step from a wrong figure is ("600 GB" too small, "6 GB per rank" of it)."""
    text = ctx.text
    taken = [(e.start, e.end) for m in reported for e in m.evidence]
    found, spans = [], []
    for slip in arithmetic.slips(text.cased, [q for q, _ in ctx.quantities()]):
        token = text.token_at(text.cased_to_folded(slip.start))
        if token < len(text.tokens) and (
            text.tokens[token].sentence in ctx.excluded_sentences or token in ctx.excluded_tokens
        ):
            continue
        start, end = text.original_span(slip.start, slip.end, cased=True)
        result_start, _ = text.original_span(slip.end - len(slip.result), slip.end, cased=True)
        if any(a < end and result_start < b for a, b in taken):
            continue  # the wrong result is already reported
        found.append(slip)
        spans.append((start, end))
    if not found:
        return None
    return MisconceptionResult(
        id=arithmetic.MISCONCEPTION_ID,
        description="Worked arithmetic that does not add up",
        penalty=arithmetic.PENALTY * min(len(found), arithmetic.MAX_COUNTED),
        evidence=[Evidence(start=a, end=b, text=text.original[a:b]) for a, b in spans],
        correction=" ".join(
            s.correction(text.original[a:b]) for s, (a, b) in zip(found, spans, strict=True)
        ),
    )


def _criterion(c: Criterion, ctx: Context, judged: Context) -> CriterionResult:
    """`judged` decides `unless`: a claim the answer only reports rules nothing out."""
    outcome: Outcome = run(c.check, ctx)
    note = outcome.note
    if outcome.passed and c.unless is not None and run(c.unless, judged).passed:
        outcome = Outcome(Status.FAIL, outcome.spans)
        note = "Matched, but the answer also says something that rules this out."
    points = 0.0
    if outcome.passed:
        points = c.points
        if outcome.spans and not ctx.explained(outcome.spans):
            points = c.points * LIST_CREDIT
            note = "Named only in a list of terms, without explaining it: half credit."
    unscored = outcome.status is Status.UNSCORED
    return CriterionResult(
        id=c.id,
        dimension=c.dimension,
        description=c.description,
        status=outcome.status,
        met=outcome.passed,
        points=points,
        max_points=c.points,
        evidence=_evidence(ctx.text, outcome.spans) if outcome.passed else [],
        feedback=c.feedback_met if outcome.passed else c.feedback_missed,
        note=note if not unscored else f"Could not be checked: {note}",
    )


def _drift(ctx: Context, rubric: Rubric) -> float:
    """The share of an answer's words in paragraphs with none of the question's core topics and
    no figure: "it starts well, then drifts" into the data pipeline, RAG or team rituals."""
    text = ctx.text
    breaks = [text.token_at(m.end()) for m in _PARAGRAPH_RE.finditer(text.folded)]
    if len(text.tokens) < DRIFT_MIN_WORDS or not breaks:
        return 0.0
    touched = sorted(
        {tok for _, tok in ctx.quantities()}
        | {m.first for name in rubric.anchors for m in ctx.mentions(name)}
    )
    # Keyword dumps and text aimed at the grader are judged on their own.
    excluded = ctx.excluded_sentences
    counted = off = 0
    for first, stop in zip([0, *breaks], [*breaks, len(text.tokens)], strict=True):
        words = stop - first
        if excluded:
            words = sum(1 for t in text.tokens[first:stop] if t.sentence not in excluded)
        counted += words
        at = bisect_left(touched, first)
        if at == len(touched) or touched[at] >= stop:
            off += words
    return off / counted if counted >= DRIFT_MIN_WORDS else 0.0


def _asserted(names: list[str], ctx: Context) -> int:
    """How many of these concepts the answer mentions outside a negated clause."""
    return sum(1 for name in names if ctx.asserted(name))


def grade(answer: str, rubric: Rubric, *, max_chars: int = DEFAULT_MAX_CHARS) -> Grade:
    """Grade one answer against one rubric. Raises InvalidInput for unusable answers."""
    answer = check_answer(answer, max_chars=max_chars)
    text = normalize(answer)
    index = compiled_index(rubric)
    injected, injection_spans = gaming.injection_sentences(text)
    style = gaming.assess_style(text)
    explained_words = style.word_count - style.dump_words  # a keyword dump explains nothing
    # "that's NVLink 3, no, sorry, NVLink 4": what the candidate takes back earns nothing and is
    # not charged.
    retracted = retracted_tokens(text)
    ctx = Context(
        text,
        AnswerConcepts(text, index),
        index,
        excluded_sentences=injected | style.dumps,
        excluded_tokens=retracted.clauses,
        list_like=style.list_like_sentences,
    )

    # A quoted claim ('"ZeRO-2 is enough." Not for 70B.') or a listed pitfall ("Failure modes:
    # ..., TP spread across IB") is reported, not made: it costs nothing and rules nothing out.
    # Most answers have neither and share the criteria's context.
    reported = reported_tokens(text) | retracted.reach
    judged = ctx.narrowed(reported) if reported else ctx
    criteria = [_criterion(c, ctx, judged) for c in rubric.criteria]
    judged.decisive = True  # the criteria's evidence is collected: from here on, only verdicts
    misconceptions = []
    for mis in rubric.misconceptions:
        outcome = run(mis.check, judged)
        # An excuse counts wherever it is said: "If the model had full MHA, it would be 2.5 MB
        # per token" states its assumption inside the case it reports.
        if outcome.passed and not (mis.unless is not None and run(mis.unless, ctx).passed):
            misconceptions.append(
                MisconceptionResult(
                    id=mis.id,
                    description=mis.description,
                    penalty=mis.penalty,
                    evidence=_evidence(text, outcome.spans),
                    correction=mis.correction,
                )
            )

    if slip := _arithmetic(judged, misconceptions):
        misconceptions.append(slip)

    flags: list[Flag] = []
    if injected:
        flags.append(
            Flag(
                code="possible_injection",
                message="Part of this answer addresses the grader instead of the interviewer. "
                "That text earns nothing, the score is capped and a reviewer should read it.",
                evidence=_evidence(text, injection_spans),
            )
        )
    if style.stuffed:
        flags.append(
            Flag(
                code="keyword_stuffing",
                message="This reads as a list of keywords and numbers rather than an "
                "explanation. Say why each choice is made and how the pieces fit together.",
            )
        )
    elif style.dumps:
        flags.append(
            Flag(
                code="keyword_dump",
                message=f"The list of terms appended to this answer ({style.dump_words} words) "
                "earns nothing: the answer is graded on what it explains.",
                evidence=_evidence(text, [text.sentence_spans[i] for i in sorted(style.dumps)]),
            )
        )
    dismissed = [c for c in criteria if not c.met and checks.NEGATED in c.note]
    if len(dismissed) >= DISMISSED_MIN:
        flags.append(
            Flag(
                code="dismissive",
                message=f"This answer negates or dismisses {len(dismissed)} of the practices "
                "the question is about ("
                + "; ".join(c.description for c in dismissed[:3])
                + ("; ..." if len(dismissed) > 3 else "")
                + "). Say when each one matters "
                "and why, rather than waving it away.",
            )
        )
    anchors = _asserted(rubric.anchors, ctx)
    foreign = _asserted(rubric.foreign, ctx)
    # Topics mentioned only to be waved away still show what the answer is about: such an
    # answer is dismissive, not off topic.
    topics = sum(1 for name in rubric.anchors if ctx.mentions(name))
    # A very short answer is judged "too short", not "off topic": it has no room for the topics.
    scored = [c for c in criteria if c.status is not Status.UNSCORED]
    earned = sum(c.points for c in scored)
    available = sum(c.max_points for c in scored)
    covered = available > 0 and earned / available >= ON_TOPIC_SHARE
    if rubric.domain is not None and not ctx.mentions(rubric.domain):
        flags.append(
            Flag(
                code="off_topic",
                message="This answer is set in another world: it never mentions "
                f"{rubric.domain_hint()}, which the question ({rubric.title}) is about.",
            )
        )
    elif (
        topics < min(rubric.min_anchors, len(rubric.anchors))
        and not (explained_words < TOO_SHORT_WORDS and topics > 0)
        and not covered
    ):
        flags.append(
            Flag(
                code="off_topic",
                message=f"This answer barely touches the question ({rubric.title}); "
                f"it mentions {topics} of the core topics the question is about.",
            )
        )
    elif foreign > anchors:
        flags.append(
            Flag(
                code="off_topic",
                message=f"This answer is mostly about another topic: it mentions {foreign} "
                f"hallmarks of other questions and {anchors} of this one ({rubric.title}).",
            )
        )
    elif (drift := _drift(ctx, rubric)) >= DRIFT_SHARE:
        flags.append(
            Flag(
                code="off_topic",
                message=f"Most of this answer ({drift:.0%} of its words) is in paragraphs that "
                f"never touch the question ({rubric.title}): stay on what was asked.",
            )
        )
    brief_cap = None
    if explained_words < BRIEF_WORDS:
        brief_cap = round(BRIEF_POINTS_PER_WORD * explained_words, 1)
        flags.append(
            Flag(
                code="too_short",
                message=f"Only {explained_words} words, so the score is capped at {brief_cap:g}. "
                "A strong answer to this question usually takes 200-400 words: numbers, "
                "design choices, the reasoning behind them and failure modes.",
            )
        )
    if (
        explained_words >= TOO_SHORT_WORDS
        and not any(q.unit.dimension != "count" for q, _ in judged.quantities())
        and any(d.id == "numbers" for d in rubric.dimensions)
        and not any(f.code in CAPS for f in flags)  # a lower cap already says more
    ):
        flags.append(
            Flag(
                code="no_figures",
                message="This answer gives no figures. Sizes, bandwidths and times, with their "
                "units, are what this question tests: put numbers on the design.",
            )
        )
    if text.hidden:
        flags.append(
            Flag(
                code="hidden_characters",
                message=f"{len(text.hidden)} invisible character(s) (zero-width or direction "
                "controls) were removed before grading.",
                evidence=[Evidence(start=i, end=i + 1, text=answer[i]) for i in text.hidden[:20]],
            )
        )

    penalty = sum(m.penalty for m in misconceptions)
    score = 100.0 * earned / available if available else 0.0
    score = max(0.0, score - penalty)
    wrong_cap = CAPS["wrong_claim"] if len(misconceptions) < 2 else SEVERAL_WRONG_CAP
    if misconceptions and score > wrong_cap:
        # One wrong figure or concept in an otherwise complete answer costs only its penalty;
        # interviewers, and the independent writers of our test answers, put it at 60 or below,
        # and an answer with several at 55 or below.
        false = "something" if len(misconceptions) < 2 else f"{len(misconceptions)} things"
        flags.append(
            Flag(
                code="wrong_claim",
                message=f"Capped at {wrong_cap:g}: this answer states {false} false (see the "
                "corrections below), and an answer is not excellent while it does. Fix the "
                "claim and the rest of the answer speaks for itself.",
            )
        )
    caps = [wrong_cap if f.code == "wrong_claim" else CAPS[f.code] for f in flags if f.code in CAPS]
    if brief_cap is not None:
        caps.append(brief_cap)
    cap = min(caps) if caps else None
    if cap is not None:
        score = min(score, cap)
    score = round(score, 1)

    dimensions: dict[str, DimensionScore] = {}
    for dim in rubric.dimensions:
        dim_scored = [c for c in scored if c.dimension == dim.id]
        if not [c for c in criteria if c.dimension == dim.id]:
            continue
        got = sum(c.points for c in dim_scored)
        top = sum(c.max_points for c in dim_scored)
        dimensions[dim.id] = DimensionScore(
            id=dim.id,
            title=dim.title,
            score=round(100.0 * got / top, 1) if top else 0.0,
            points=got,
            max_points=top,
        )
    return Grade(
        question=rubric.id,
        rubric_version=rubric.version,
        score=score,
        band=band_for(score),
        raw_points=earned,
        max_points=available,
        penalty_points=penalty,
        cap=cap,
        dimensions=dimensions,
        criteria=criteria,
        misconceptions=misconceptions,
        flags=flags,
        word_count=style.word_count,
    )
