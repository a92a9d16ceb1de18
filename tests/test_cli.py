"""The `coach` command as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "gpu-cluster-networking"


def coach(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def excellent() -> str:
    data = yaml.safe_load((ROOT / "rubrics" / f"{QUESTION}.yaml").read_text(encoding="utf-8"))
    return next(e["answer"] for e in data["examples"] if e["id"] == "excellent")


def test_questions_lists_the_five_ids() -> None:
    out = coach("questions")
    assert out.returncode == 0
    assert QUESTION in out.stdout.decode()


def test_grade_prints_a_readable_report_from_stdin() -> None:
    out = coach("grade", "--question", QUESTION, "-", stdin=excellent().encode())
    text = out.stdout.decode()
    assert out.returncode == 0, out.stderr
    assert "Score:" in text and "Dimensions:" in text and "Met (" in text
    assert '"NVLink' in text or "NVLink" in text


def test_grade_json_prints_the_grade(tmp_path: Path) -> None:
    answer = tmp_path / "a.txt"
    answer.write_text(excellent(), encoding="utf-8")
    out = coach("grade", "-q", QUESTION, "--json", str(answer))
    data = json.loads(out.stdout)
    assert data["question"] == QUESTION and data["score"] >= 80


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["grade", "-q", "nope", "-"], b"x", "Valid question ids:"),
        (["grade", "-q", QUESTION, "-"], b"   \n", "empty"),
        (["grade", "-q", QUESTION, "-"], b"NVL\xffink", "not valid UTF-8"),
        (["grade", "-q", QUESTION, "-"], b"x" * 20_001, "limit is 20,000"),
        (["grade", "-q", QUESTION, "missing.txt"], None, "No such answer file"),
    ],
)
def test_grade_bad_input_exits_nonzero_with_a_clear_message(
    args: list[str], stdin: bytes | None, message: str
) -> None:
    out = coach(*args, stdin=stdin)
    assert out.returncode != 0
    assert message in out.stderr.decode()


def test_rubrics_check_passes_on_the_shipped_rubrics() -> None:
    out = coach("rubrics", "check")
    assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()


def test_rubrics_check_fails_with_a_readable_diff(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "rubrics" / f"{QUESTION}.yaml").read_text(encoding="utf-8"))
    salad = next(e for e in data["examples"] if e["id"] == "keyword-salad")
    salad["min_score"], salad["max_score"] = 90, 100
    path = tmp_path / f"{QUESTION}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = coach("rubrics", "check", str(path))
    text = out.stdout.decode()
    assert out.returncode == 1
    assert "FAIL keyword-salad" in text
    assert "outside expected 90-100" in text


def test_rubrics_check_reports_an_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\n", encoding="utf-8")
    out = coach("rubrics", "check", str(path))
    assert out.returncode == 1
    assert "broken.yaml: invalid rubric" in out.stdout.decode()
