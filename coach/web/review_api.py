"""The reviewer API under /api/v1/review: the list, a transcript, review changes and the export.

Authenticated by a reviewer's personal API token (`Authorization: Bearer coach_rt_...`) only;
cookies are ignored, so cross-site requests cannot ride on a browser login.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from coach.review_schemas import ReviewView, TranscriptPage, TranscriptQuery, TranscriptView
from coach.service import review
from coach.service.review import Recommendation
from coach.web.deps import NowDep, RubricsDep, SessionDep, SettingsDep
from coach.web.review_auth import ApiReviewer
from coach.web.review_pages import export_response

AUTH = {
    401: {"description": "Missing, unknown, revoked or disabled reviewer API token."},
    403: {"description": "Another reviewer's verdict."},
    404: {"description": "No such transcript, attempt or criterion."},
}
router = APIRouter(prefix="/api/v1/review", tags=["review"], responses=AUTH)  # type: ignore[arg-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionOverride(_Body):
    attempt_id: StrictStr
    criterion_id: StrictStr
    met: StrictBool | None = Field(description="true / false; null returns to the coach's verdict.")
    reason: StrictStr = Field(min_length=1, max_length=2000)
    review_id: int | None = Field(default=None, description="Your review's id (optional check).")


class ScoreAdjustment(_Body):
    score: float | None = Field(ge=0, le=100, description="null returns to the computed total.")
    reason: StrictStr = Field(min_length=1, max_length=2000)
    review_id: int | None = None


class Verdict(_Body):
    recommendation: Recommendation | None = None
    notes: StrictStr | None = Field(default=None, max_length=10_000)
    submit: StrictBool = Field(default=False, description="Submit: the verdict counts.")


class Done(BaseModel):
    ok: bool = True


@router.get("/transcripts")
def list_transcripts(
    reviewer: ApiReviewer,
    session: SessionDep,
    settings: SettingsDep,
    query: Annotated[TranscriptQuery, Query()],
) -> TranscriptPage:
    """Interviews and standalone attempts, filtered, sorted and paginated."""
    return review.list_transcripts(
        session=session, viewer=reviewer, query=query, blind=settings.review_blind
    )


@router.get("/transcripts/{transcript_id}")
def get_transcript(
    transcript_id: str,
    reviewer: ApiReviewer,
    session: SessionDep,
    settings: SettingsDep,
    rubrics: RubricsDep,
) -> TranscriptView:
    """One transcript: answers, evidence spans, criteria, your review, visible reviews, audit."""
    return review.read_transcript(
        session=session,
        rubrics=rubrics,
        viewer=reviewer,
        transcript_id=transcript_id,
        blind=settings.review_blind,
    )


@router.post("/transcripts/{transcript_id}/criteria")
def override_criterion(
    transcript_id: str, body: CriterionOverride, reviewer: ApiReviewer, session: SessionDep,
    now: NowDep,
) -> Done:  # fmt: skip
    """Mark one criterion met or not met in your review, with a reason (audited)."""
    review.override_criterion(
        session=session, viewer=reviewer, transcript_id=transcript_id,
        attempt_id=body.attempt_id, criterion_id=body.criterion_id, met=body.met,
        reason=body.reason, now=now, review_id=body.review_id,
    )  # fmt: skip
    return Done()


@router.post("/transcripts/{transcript_id}/score")
def adjust_score(
    transcript_id: str, body: ScoreAdjustment, reviewer: ApiReviewer, session: SessionDep,
    now: NowDep,
) -> Done:  # fmt: skip
    """Set your total for the transcript, with a reason (audited)."""
    review.adjust_score(
        session=session, viewer=reviewer, transcript_id=transcript_id, score=body.score,
        reason=body.reason, now=now, review_id=body.review_id,
    )  # fmt: skip
    return Done()


@router.post("/transcripts/{transcript_id}/verdict")
def save_verdict(
    transcript_id: str, body: Verdict, reviewer: ApiReviewer, session: SessionDep, now: NowDep
) -> ReviewView:
    """Record your recommendation and notes; `submit` makes it count."""
    return review.save_verdict(
        session=session, viewer=reviewer, transcript_id=transcript_id,
        recommendation=body.recommendation.value if body.recommendation else None,
        notes=body.notes, submit=body.submit, now=now,
    )  # fmt: skip


@router.patch("/transcripts/{transcript_id}/reviews/{review_id}")
def update_review(
    transcript_id: str,
    review_id: int,
    body: Verdict,
    reviewer: ApiReviewer,
    session: SessionDep,
    now: NowDep,
) -> ReviewView:
    """Change a review by id: only your own (403 for another reviewer's)."""
    return review.save_verdict(
        session=session, viewer=reviewer, transcript_id=transcript_id,
        recommendation=body.recommendation.value if body.recommendation else None,
        notes=body.notes, submit=body.submit, now=now, review_id=review_id,
    )  # fmt: skip


@router.get("/export", response_class=Response)
def export(
    request: Request,
    reviewer: ApiReviewer,
    settings: SettingsDep,
    query: Annotated[TranscriptQuery, Query()],
    format: Literal["csv", "jsonl"] = "jsonl",
) -> Response:
    """CSV (a row per attempt) or JSON Lines (an object per transcript), with the list's
    filters; other reviewers' verdicts only where you submitted yours (blind review)."""
    return export_response(request, reviewer, settings, query, format)
