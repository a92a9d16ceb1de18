from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from coach.config import Settings
from coach.scoring import Rubric, load_rubrics
from coach.scoring.rubric import Rubric as RubricModel


@pytest.fixture(scope="session")
def rubrics() -> dict[str, Rubric]:
    return load_rubrics(Settings().rubrics_dir)


BASE: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny",
    "topic": "test",
    "question": "Explain the interconnect.",
    "suggested_minutes": 5,
    "dimensions": [{"id": "numbers", "title": "Numbers"}, {"id": "mechanisms", "title": "M"}],
    "concepts": {
        "nvlink": ["nvlink", "nv link"],
        "infiniband": ["infiniband", "ib"],
        "node": ["node", "nodes"],
        "atomic-rename": ["atomic rename"],
        "checkpoint": ["checkpoint"],
        "all-reduce": ["all-reduce"],
        "gpudirect": ["gpudirect", "gpu direct"],
    },
    "anchors": ["nvlink", "infiniband"],
    "min_anchors": 1,
    "model_answer": "NVLink inside, InfiniBand between.",
    "why_strong": "It separates the two.",
}


def _criterion(check: dict[str, Any], unless: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {
        "id": "c",
        "dimension": "numbers",
        "points": 1,
        "description": "d",
        "feedback_met": "met",
        "feedback_missed": "missed",
        "check": check,
    }
    if unless is not None:
        out["unless"] = unless
    return out


@pytest.fixture
def make_rubric() -> Callable[..., RubricModel]:
    """A one-criterion rubric around `check` (plus any field overrides)."""

    def build(check: dict[str, Any], **overrides: Any) -> RubricModel:
        unless = overrides.pop("unless", None)
        data = {**BASE, "criteria": [_criterion(check, unless)], **overrides}
        return RubricModel.model_validate(data)

    return build


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
