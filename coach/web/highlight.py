"""The candidate's answer as segments to highlight: evidence offsets in, plain-text pieces out.

Nothing here produces markup. Each segment carries the candidate's own text and the references
covering it; the template escapes the text (autoescape) and only then wraps it in <mark>.
Evidence offsets index the original answer (coach.scoring.Evidence), so they apply as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from coach.scoring import Grade


class Kind(StrEnum):
    CRITERION = "criterion"
    """Earned a criterion: the highlight says which one."""
    MISCONCEPTION = "misconception"
    """Cost points: the highlight leads to the correction."""
    FLAG = "flag"
    """Text a flag points at (grader-directed text, invisible characters)."""


@dataclass(frozen=True)
class Ref:
    """One highlighted item: what it is, its anchor on the page and its footnote label."""

    kind: Kind
    id: str
    label: str
    """Short visible label, e.g. "1" for the first criterion, "!1" for a misconception."""
    title: str
    """What the item is, in words (the tooltip and the footnote's accessible name)."""

    @property
    def anchor(self) -> str:
        return f"{self.kind.value}-{self.id}"


@dataclass
class Segment:
    text: str
    refs: list[Ref] = field(default_factory=list)
    """Everything covering this piece of text (empty: plain text)."""
    ends: list[Ref] = field(default_factory=list)
    """Items whose evidence ends here: their footnote labels follow this segment."""

    @property
    def kind(self) -> Kind | None:
        """The strongest mark covering the text: a misconception outranks a criterion."""
        kinds = {r.kind for r in self.refs}
        for kind in (Kind.MISCONCEPTION, Kind.FLAG, Kind.CRITERION):
            if kind in kinds:
                return kind
        return None

    def ids(self, kind: Kind) -> str:
        return " ".join(r.id for r in self.refs if r.kind is kind)

    @property
    def criteria(self) -> str:
        """Space-separated ids of the criteria this text earned (for data-criterion)."""
        return self.ids(Kind.CRITERION)

    @property
    def misconceptions(self) -> str:
        return self.ids(Kind.MISCONCEPTION)

    @property
    def flags(self) -> str:
        return self.ids(Kind.FLAG)


def refs_of(result: Grade) -> list[tuple[Ref, list[tuple[int, int]]]]:
    """Every highlightable item of a grade with its spans, numbered by first appearance."""
    items: list[tuple[Ref, list[tuple[int, int]]]] = []
    met = sorted(
        (c for c in result.criteria if c.met and c.evidence),
        key=lambda c: min(e.start for e in c.evidence),
    )
    for number, criterion in enumerate(met, start=1):
        ref = Ref(Kind.CRITERION, criterion.id, str(number), criterion.description)
        items.append((ref, [(e.start, e.end) for e in criterion.evidence]))
    wrong = sorted(
        (m for m in result.misconceptions if m.evidence),
        key=lambda m: min(e.start for e in m.evidence),
    )
    for number, mis in enumerate(wrong, start=1):
        ref = Ref(Kind.MISCONCEPTION, mis.id, f"!{number}", mis.description)
        items.append((ref, [(e.start, e.end) for e in mis.evidence]))
    for flag in result.flags:
        if flag.evidence:
            ref = Ref(Kind.FLAG, flag.code, "?", flag.code.replace("_", " "))
            items.append((ref, [(e.start, e.end) for e in flag.evidence]))
    return items


def segments(answer: str, result: Grade) -> list[Segment]:
    """Split the answer at every evidence boundary; each piece knows what covers it."""
    spans: list[tuple[int, int, Ref]] = []
    for ref, ranges in refs_of(result):
        for start, end in ranges:
            start, end = max(0, start), min(len(answer), end)
            if start < end:
                spans.append((start, end, ref))
    cuts = sorted({0, len(answer), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    last_end: dict[Ref, int] = {}
    for _, end, ref in spans:
        last_end[ref] = max(end, last_end.get(ref, 0))
    ending: dict[int, list[Ref]] = {}
    for ref, end in last_end.items():
        ending.setdefault(end, []).append(ref)
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [ref for s, e, ref in spans if s <= start and end <= e]
        out.append(Segment(answer[start:end], list(dict.fromkeys(covering)), ending.get(end, [])))
    return out
