"""Answers written apart from the rubric's own examples, in the same styles: the grader must
generalise, not memorise its examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coach.config import Settings
from coach.scoring import arithmetic, grade, load_rubrics
from coach.scoring.examples import check_example
from coach.scoring.rubric import Example

from .conftest import load_yaml

HERE = Path(__file__).parent
HELDOUT = HERE / "heldout"
"""Written apart from the rubrics' examples, never used for tuning."""
INDEPENDENT = HERE / "independent"
"""Written by people who never saw the rubrics or the grader, with the band they expected."""
REGRESSIONS = HERE / "regressions"
"""Answers that once exposed a gap, kept in band after the fix."""
RUBRICS = load_rubrics(Settings().rubrics_dir)


def _cases(*folders: Path) -> list[Any]:
    cases = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            for item in load_yaml(path):
                case_id = f"{folder.name}/{path.stem}:{item['id']}"
                cases.append(pytest.param(path.stem, Example.model_validate(item), id=case_id))
    return cases


ALL = _cases(HELDOUT, INDEPENDENT, REGRESSIONS)


def test_every_question_has_a_heldout_set() -> None:
    assert {p.stem for p in HELDOUT.glob("*.yaml")} == set(RUBRICS)


@pytest.mark.parametrize(("question", "example"), ALL)
def test_answer_lands_in_its_band(question: str, example: Example) -> None:
    result = grade(example.answer, RUBRICS[question])
    assert check_example(example, result) == []


@pytest.mark.parametrize(("question", "example"), ALL)
def test_expectations_name_real_criteria_and_misconceptions(
    question: str, example: Example
) -> None:
    rubric = RUBRICS[question]
    criteria = {c.id for c in rubric.criteria}
    misconceptions = {m.id for m in rubric.misconceptions} | {arithmetic.MISCONCEPTION_ID}
    assert set(example.expect_met + example.expect_missed) <= criteria
    assert set(example.expect_misconceptions + example.expect_no_misconceptions) <= misconceptions


def test_an_answer_charged_with_a_misconception_it_does_not_hold_fails_its_check() -> None:
    example = Example(
        id="clean",
        expect_no_misconceptions=["decode-compute-bound"],
        answer="Decode is compute-bound, so it needs the newest GPUs.",
    )
    problems = check_example(example, grade(example.answer, RUBRICS["pd-disaggregation"]))
    assert problems == [
        "misconception 'decode-compute-bound' reported, but this answer does not hold it"
    ]
