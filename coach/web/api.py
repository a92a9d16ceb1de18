"""The JSON API under /api/v1: parse input, call coach.service, return typed models."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr

from coach import service
from coach.report import Report
from coach.schemas import (
    AttemptPublic,
    AttemptReceipt,
    InterviewOpened,
    InterviewStatus,
    QuestionPublic,
)
from coach.scoring import Grade
from coach.web.deps import (
    KnownInterviewsDep,
    NowDep,
    RubricsDep,
    SessionDep,
    SettingsDep,
    TokenDep,
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GradeRequest(_Body):
    question_id: StrictStr = Field(min_length=1, max_length=100, examples=["kv-cache"])
    answer: StrictStr = Field(description="The answer, as plain text.")


class AnswerRequest(GradeRequest):
    started_at: AwareDatetime | None = Field(
        default=None,
        description="When the candidate started this answer (default: when the question was "
        "shown, i.e. the interview start or the previous answer).",
    )


class InterviewRequest(_Body):
    candidate_name: StrictStr | None = Field(default=None, max_length=200)
    candidate_email: StrictStr | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    )
    question_ids: list[StrictStr] | None = Field(
        default=None, min_length=1, max_length=20, description="Default: all five questions."
    )
    time_limit_minutes: int | None = Field(default=None, gt=0, le=24 * 60)


class ErrorDetail(BaseModel):
    code: str
    """A stable machine-readable code, e.g. unknown_question or interview_closed."""
    message: str
    """What went wrong and what to do about it, for a person."""
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"] = "ok"


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


router = APIRouter(prefix="/api/v1", responses=_errors(422))
AUTH = _errors(401, 403)


@router.get("/health", tags=["meta"])
async def health() -> Health:
    """A trivial endpoint: the benchmark's baseline."""
    return Health()


@router.get("/questions", tags=["questions"])
def list_questions(rubrics: RubricsDep) -> list[QuestionPublic]:
    """Every question: text, topic, suggested minutes, dimensions (never the model answer)."""
    return service.list_questions(rubrics=rubrics)


@router.get("/questions/{question_id}", tags=["questions"], responses=_errors(404))
def get_question(question_id: str, rubrics: RubricsDep) -> QuestionPublic:
    return service.get_question(rubrics=rubrics, question_id=question_id)


@router.post("/grade", tags=["grading"], responses=_errors(404, 413))
def grade(body: GradeRequest, rubrics: RubricsDep, settings: SettingsDep) -> Grade:
    """Grade one answer, statelessly: nothing is stored."""
    return service.grade_answer(
        rubrics=rubrics,
        question_id=body.question_id,
        answer=body.answer,
        max_chars=settings.max_answer_chars,
    )


@router.post(
    "/attempts", tags=["attempts"], status_code=status.HTTP_201_CREATED, responses=_errors(404, 413)
)
def practise(
    body: AnswerRequest,
    session: SessionDep,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
) -> AttemptReceipt:
    """Grade and keep a standalone practice answer. The returned `token` reads it back later."""
    return service.practise_answer(
        session=session,
        rubrics=rubrics,
        question_id=body.question_id,
        answer=body.answer,
        max_chars=settings.max_answer_chars,
        now=now,
        client=service.Client.API,
        started_at=body.started_at,
        judge=settings.judge_enabled,
    )


@router.get("/attempts/{attempt_id}", tags=["attempts"], responses=AUTH)
def get_attempt(
    attempt_id: str, token: TokenDep, session: SessionDep, rubrics: RubricsDep, now: NowDep
) -> AttemptPublic:
    """One attempt with its grade and grade history. Interview attempts open with the
    interview's token; standalone attempts with the token returned when they were created."""
    return service.read_attempt(
        session=session, rubrics=rubrics, attempt_id=attempt_id, token=token, now=now
    )


@router.post(
    "/interviews", tags=["interviews"], status_code=status.HTTP_201_CREATED, responses=_errors(404)
)
def open_interview(
    session: SessionDep, rubrics: RubricsDep, now: NowDep, body: InterviewRequest | None = None
) -> InterviewOpened:
    """Open a mock interview. Keep the `token`: every later call presents it as a bearer token."""
    body = body or InterviewRequest()
    return service.open_interview(
        session=session,
        rubrics=rubrics,
        now=now,
        candidate_name=body.candidate_name,
        candidate_email=body.candidate_email,
        question_ids=body.question_ids,
        time_limit_minutes=body.time_limit_minutes,
    )


@router.get("/interviews/{interview_id}", tags=["interviews"], responses=AUTH)
def get_interview(
    interview_id: str, token: TokenDep, session: SessionDep, rubrics: RubricsDep, now: NowDep
) -> InterviewStatus:
    """State, progress ("2 / 5 answered") and the current question."""
    return service.interview_status(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )


@router.post(
    "/interviews/{interview_id}/answers",
    tags=["interviews"],
    status_code=status.HTTP_201_CREATED,
    response_model=AttemptReceipt,
    responses={**AUTH, **_errors(404, 409, 413)},
)
async def submit_answer(
    interview_id: str,
    body: AnswerRequest,
    token: TokenDep,
    session: SessionDep,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
    known: KnownInterviewsDep,
) -> Response:
    """Grade and keep an answer; a retry is a new attempt. 409 once finished or out of time."""
    # Runs on the event loop, not in the threadpool: the work is CPU-bound grading plus a short
    # local write, so threads only queue for the GIL and the SQLite write lock (measured on
    # 2 cores: 130 answers/s in the threadpool, 200 inline). More cores: `coach serve --workers`.
    receipt = service.submit_answer(
        session=session,
        rubrics=rubrics,
        interview_id=interview_id,
        token=token,
        question_id=body.question_id,
        answer=body.answer,
        max_chars=settings.max_answer_chars,
        now=now,
        client=service.Client.API,
        started_at=body.started_at,
        judge=settings.judge_enabled,
        known=known,
    )
    return _json(receipt, status.HTTP_201_CREATED)


def _json(model: BaseModel, status_code: int = status.HTTP_200_OK) -> Response:
    """The model as JSON, serialised once (pydantic, in Rust). Returned from a route declared
    with `response_model`, it keeps the OpenAPI schema typed while FastAPI skips validating the
    model it was just handed and encoding it a second time."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


@router.post("/interviews/{interview_id}/finish", tags=["interviews"], responses=AUTH)
def finish_interview(
    interview_id: str, token: TokenDep, session: SessionDep, rubrics: RubricsDep, now: NowDep
) -> InterviewStatus:
    """Close the interview (finishing twice is harmless); the report becomes available."""
    return service.finish_interview(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )


@router.get(
    "/interviews/{interview_id}/report",
    tags=["interviews"],
    responses={**AUTH, **_errors(409)},
)
def interview_report(
    interview_id: str, token: TokenDep, session: SessionDep, rubrics: RubricsDep, now: NowDep
) -> Report:
    """Best and latest score per question, the four habits, what to work on, model answers.
    Available once the interview is finished or its time ran out (409 before)."""
    return service.interview_report(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
