"""The one place that composes scoring and storage; every transaction starts and ends here.

Web routes and CLI commands call these functions with a Session, the loaded rubrics and the
current time, and render what comes back. Grading (CPU work) happens outside any write
transaction, so a SQLite write lock is held only while the rows are written.
"""

from coach.service.attempts import practise_answer, read_attempt, submit_answer
from coach.service.database import (
    connect,
    downgrade_schema,
    ensure_schema_current,
    open_session,
    schema_revisions,
    upgrade_schema,
)
from coach.service.interview_access import InterviewAccessCache
from coach.service.interviews import (
    finish_interview,
    interview_report,
    interview_status,
    open_interview,
)
from coach.service.judging import judge_opinion, judge_worker
from coach.service.practice import (
    AttemptChange,
    BrowserProgress,
    PracticeResult,
    QuestionStanding,
    browser_progress,
    practise_in_browser,
    read_practice_result,
)
from coach.service.questions import (
    QUESTION_ORDER,
    get_question,
    grade_answer,
    hash_token,
    list_questions,
    new_token,
    ordered_ids,
    token_matches,
    utcnow,
)
from coach.service.regrade import regrade_attempts
from coach.storage.models import Client

__all__ = [
    "judge_opinion",
    "judge_worker",
    "QUESTION_ORDER",
    "Client",
    "InterviewAccessCache",
    "connect",
    "downgrade_schema",
    "ensure_schema_current",
    "open_session",
    "schema_revisions",
    "upgrade_schema",
    "finish_interview",
    "get_question",
    "grade_answer",
    "hash_token",
    "interview_report",
    "interview_status",
    "list_questions",
    "new_token",
    "open_interview",
    "ordered_ids",
    "practise_answer",
    "read_attempt",
    "regrade_attempts",
    "submit_answer",
    "token_matches",
    "utcnow",
    "AttemptChange",
    "BrowserProgress",
    "PracticeResult",
    "QuestionStanding",
    "browser_progress",
    "practise_in_browser",
    "read_practice_result",
]
