"""Rubric files are validated data: mistakes are caught at load time, naming file and item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from coach.errors import RubricError
from coach.scoring.rubric import load_rubric, load_rubrics, rubric_json_schema

from .conftest import BASE


def criterion(cid: str = "c1", **over: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "dimension": "numbers",
        "points": 2,
        "description": "d",
        "feedback_met": "m",
        "feedback_missed": "x",
        "check": {"type": "concept", "concept": "nvlink"},
        **over,
    }


NVLINK = {"type": "concept", "concept": "nvlink"}


def write(tmp_path: Path, data: dict[str, Any], name: str = "tiny") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"criteria": [criterion(points=0)]}, r"criterion 'c1' / points"),
        ({"criteria": [criterion(dimension="nope")]}, r"unknown dimension 'nope'"),
        ({"criteria": [criterion(), criterion()]}, r"duplicate criterion id 'c1'"),
        ({"criteria": [criterion(check={"type": "concept", "concept": "warp"})]},
         r"criterion 'c1'.*unknown concept 'warp'"),
        ({"criteria": [criterion(check={"type": "regex", "pattern": "(unclosed"})]},
         r"criterion 'c1'.*invalid regex"),
        ({"criteria": [criterion(check={"type": "regex", "pattern": r"(a|aa)+$"})]},
         r"criterion 'c1'.*backtracks catastrophically"),
        ({"criteria": [criterion(check={"type": "quantity", "unit": "parsecs", "value": 1})]},
         r"criterion 'c1'.*unknown unit 'parsecs'"),
        ({"criteria": [criterion(check={"type": "quantity", "unit": "GB"})]},
         r"needs value, or min"),
        ({"criteria": [criterion(check={"type": "wizard"})]}, r"criterion 'c1'"),
        ({"criteria": [criterion(surprise=1)]}, r"criterion 'c1' / surprise: Extra inputs"),
        ({"criteria": [criterion(check={"type": "at_least", "n": 3, "checks": [
            {"type": "concept", "concept": "nvlink"}]})]}, r"at_least n=3 but only 1"),
        ({"anchors": ["warp"]}, r"anchors: unknown concept 'warp'"),
        ({"domain": "warp"}, r"domain: unknown concept 'warp'"),
        ({"examples": [{"id": "e", "answer": "x", "expect_met": ["zz"]}]},
         r"example 'e': unknown criterion 'zz'"),
        ({"misconceptions": [{"id": "arithmetic-slip", "penalty": 1, "description": "d",
                              "correction": "c", "check": NVLINK}]},
         r"'arithmetic-slip': the id is reserved"),
    ],
)  # fmt: skip
def test_invalid_rubric_error_names_file_and_item(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, {**BASE, "criteria": [criterion()], **change})
    with pytest.raises(RubricError, match=message) as info:
        load_rubric(path)
    assert str(path) in info.value.message


def test_rubric_id_must_match_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, {**BASE, "criteria": [criterion()]}, name="other")
    with pytest.raises(RubricError, match="must match the file name"):
        load_rubric(path)


def test_malformed_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match="tiny.yaml: not valid UTF-8 YAML"):
        load_rubric(path)


def test_version_is_a_content_hash(tmp_path: Path) -> None:
    path = write(tmp_path, {**BASE, "criteria": [criterion()]})
    first = load_rubric(path).version
    assert load_rubric(path).version == first
    path.write_text(path.read_text() + "\n# edited\n", encoding="utf-8")
    assert load_rubric(path).version != first


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="no rubric files"):
        load_rubrics(tmp_path)


def test_shipped_json_schema_is_generated_from_the_models() -> None:
    shipped = json.loads(Path("rubrics/rubric.schema.json").read_text(encoding="utf-8"))
    assert shipped == rubric_json_schema(), "regenerate: coach rubrics schema > rubrics/..."


def test_nested_quantifier_from_design_doc_is_safe_with_the_regex_engine(tmp_path: Path) -> None:
    # `(\w+\s?)+ms\b` takes seconds on 30 characters with `re`; the `regex` engine we run
    # rubric patterns with answers it at once, so the probe accepts it.
    check = {"type": "regex", "pattern": r"(\w+\s?)+ms\b"}
    path = write(tmp_path, {**BASE, "criteria": [criterion(check=check)]})
    assert load_rubric(path).criteria[0].check.type == "regex"
