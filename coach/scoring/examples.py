"""Run a rubric's example answers and compare each with its expected band and criteria."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.scoring.grader import grade
from coach.scoring.result import Grade
from coach.scoring.rubric import Example, Rubric


@dataclass
class ExampleResult:
    example: Example
    grade: Grade
    problems: list[str]


@dataclass
class ExampleReport:
    rubric: Rubric
    results: list[ExampleResult] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.results if r.problems)

    def lines(self) -> list[str]:
        out = [f"{self.rubric.id} ({self.rubric.version}): {len(self.results)} examples"]
        for r in self.results:
            ex = r.example
            mark = "FAIL" if r.problems else "ok  "
            out.append(
                f"  {mark} {ex.id:<28} score {r.grade.score:5.1f}  "
                f"expected {ex.min_score:g}-{ex.max_score:g}  flags {r.grade.flag_codes()}"
            )
            out += [f"       - {p}" for p in r.problems]
        return out


def check_example(example: Example, result: Grade) -> list[str]:
    problems = []
    if not example.min_score <= result.score <= example.max_score:
        problems.append(
            f"score {result.score:g} outside expected {example.min_score:g}-{example.max_score:g}"
        )
    met = {c.id for c in result.criteria if c.met}
    for cid in example.expect_met:
        if cid not in met:
            problems.append(f"expected criterion {cid!r} to be met; it was missed")
    for cid in example.expect_missed:
        if cid in met:
            problems.append(f"expected criterion {cid!r} to be missed; it was met")
    found = {m.id for m in result.misconceptions}
    for mid in example.expect_misconceptions:
        if mid not in found:
            problems.append(f"expected misconception {mid!r}; not reported")
    for mid in example.expect_no_misconceptions:
        if mid in found:
            problems.append(f"misconception {mid!r} reported, but this answer does not hold it")
    flags = set(result.flag_codes())
    for code in example.expect_flags:
        if code not in flags:
            problems.append(f"expected flag {code!r}; got {sorted(flags) or 'none'}")
    return problems


def run_examples(rubric: Rubric) -> ExampleReport:
    report = ExampleReport(rubric)
    for example in rubric.examples:
        result = grade(example.answer, rubric)
        report.results.append(ExampleResult(example, result, check_example(example, result)))
    return report
