"""The seed's own drill: for each question, four short answers A-D and why the best one wins.

Content is data (drill.yaml beside this module), validated here with `extra="forbid"`. Figures
follow /work/shared/FACTS.md where it corrects the seed (e.g. Llama-3-70B KV with GQA). Which
questions this browser completed lives in a plain cookie: it is the candidate's own progress,
nothing to protect, and it keeps the drill free of storage.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.errors import RubricError

DRILL_FILE = Path(__file__).resolve().parent / "drill.yaml"
COOKIE = "coach_drill"
Letter = Literal["A", "B", "C", "D"]
LETTERS: tuple[Letter, ...] = ("A", "B", "C", "D")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    letter: Letter
    text: str = Field(min_length=20)
    falls_short: str = ""
    """For the weaker options: what is missing, in the seed's terms (numbers, failure modes...)."""


class DrillItem(_Model):
    question_id: str
    prompt: str = Field(min_length=20)
    """What the interviewer asks (the seed's wording)."""
    covers: str
    """The seed's "Which answer best covers ...?" subject."""
    best: Letter
    options: list[Option] = Field(min_length=4, max_length=4)
    why_best: str = Field(min_length=40)
    """Why the best option is strongest, in the seed's own terms."""
    habits: list[str] = Field(min_length=1)
    """Which of the four habits the best option shows."""

    @model_validator(mode="after")
    def _letters(self) -> DrillItem:
        if [o.letter for o in self.options] != list(LETTERS):
            raise ValueError(f"{self.question_id}: options must be A, B, C, D in order")
        for option in self.options:
            if option.letter != self.best and not option.falls_short:
                raise ValueError(f"{self.question_id} {option.letter}: say what it misses")
        return self

    def option(self, letter: str) -> Option | None:
        return next((o for o in self.options if o.letter == letter), None)


class Drill(_Model):
    intro: str
    items: list[DrillItem] = Field(min_length=1)

    def item(self, question_id: str) -> DrillItem | None:
        return next((i for i in self.items if i.question_id == question_id), None)

    def next_after(self, question_id: str) -> DrillItem | None:
        ids = [i.question_id for i in self.items]
        position = ids.index(question_id) + 1 if question_id in ids else len(ids)
        return self.items[position] if position < len(ids) else None


@cache
def load_drill(path: Path = DRILL_FILE) -> Drill:
    try:
        return Drill.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RubricError(f"{path}: invalid drill file: {exc}") from exc


def completed_from(cookie: str | None, drill: Drill) -> list[str]:
    """Question ids from the drill cookie, in drill order; unknown ids are ignored."""
    done = set((cookie or "").split("."))
    return [i.question_id for i in drill.items if i.question_id in done]
