"""Settings, read from the environment (prefix COACH_) once, in create_app or the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/coach.db"
    """SQLite by default; a postgresql+psycopg:// URL when one machine is not enough."""
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    max_answer_chars: int = 20_000
    secret_key: SecretStr = SecretStr("")
    """Signs session cookies and CSRF tokens. Empty: a random key per process (dev only): forms
    opened before a restart, or served by another worker process, are then refused."""
    review_blind: bool = True
    """Blind review: a reviewer sees other reviewers' verdicts only after submitting their own."""
    review_session_hours: float = 12.0
    """How long a reviewer login lasts."""
    judge_base_url: str | None = None
    judge_model: str | None = None
    judge_api_key: SecretStr | None = None
    judge_timeout_s: float = 30.0

    @property
    def judge_enabled(self) -> bool:
        """The judge runs only when both its endpoint and its model are configured."""
        return bool(self.judge_base_url and self.judge_model)
