"""`coach db upgrade`, `coach regrade`: re-scoring after a rubric edit keeps the earlier grade."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from coach import service
from coach.cli import app
from coach.scoring import load_rubrics
from coach.storage.models import Attempt, AttemptGrade
from tests.conftest import FIXTURE_RUBRICS
from tests.factories import KV_STRONG

runner = CliRunner()


@pytest.fixture
def rubrics_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rubrics"
    shutil.copytree(FIXTURE_RUBRICS, target)
    return target


def store_answer(url: str, rubrics_dir: Path) -> uuid.UUID:
    engine = service.connect(url)
    try:
        with service.open_session(engine) as session:
            receipt = service.practise_answer(
                session=session,
                rubrics=load_rubrics(rubrics_dir),
                question_id="kv-cache",
                answer=KV_STRONG,
                max_chars=20_000,
                now=datetime.now(UTC),
            )
    finally:
        engine.dispose()
    return receipt.attempt_id


def test_db_upgrade_migrates_the_configured_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database is at revision" in result.output
    current = runner.invoke(app, ["db", "current"])
    assert "up to date" in current.output


def test_regrade_after_a_rubric_edit_keeps_history_and_prints_a_diff(
    migrated_url: str, rubrics_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt_id = store_answer(migrated_url, rubrics_dir)
    rubric = rubrics_dir / "kv-cache.yaml"
    # The edit: the eviction criterion now needs a phrase the answer does not use.
    rubric.write_text(
        rubric.read_text().replace(
            "eviction: [eviction, evict, lru, preemption, preempt]",
            "eviction: [sliding window eviction]",
        )
    )
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_url)
    monkeypatch.setenv("COACH_RUBRICS_DIR", str(rubrics_dir))

    result = runner.invoke(app, ["regrade", "--question", "kv-cache"])
    assert result.exit_code == 0, result.output
    assert str(attempt_id) in result.output
    assert "now missed: eviction" in result.output
    assert "Re-graded 1 attempt(s)" in result.output

    again = runner.invoke(app, ["regrade"])
    assert "Re-graded 0 attempt(s)" in again.output  # already at the new version

    engine = service.connect(migrated_url)
    try:
        with Session(engine) as session:
            attempt = session.get(Attempt, attempt_id)
            history = session.exec(select(AttemptGrade)).all()
    finally:
        engine.dispose()
    assert attempt is not None
    assert attempt.rubric_version == load_rubrics(rubrics_dir)["kv-cache"].version
    assert [h.attempt_id for h in history] == [attempt_id]
    assert history[0].score > attempt.score
    assert attempt.answer == KV_STRONG


def test_regrade_unknown_question_lists_the_valid_ids(
    migrated_url: str, rubrics_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_url)
    monkeypatch.setenv("COACH_RUBRICS_DIR", str(rubrics_dir))
    result = runner.invoke(app, ["regrade", "--question", "nope"])
    assert result.exit_code == 1
    assert "checkpointing, kv-cache" in result.output
