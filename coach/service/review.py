"""Hiring-team review: the transcript list, one transcript, overrides, verdicts, the audit trail.

The coach's grade is never changed: a reviewer's criterion overrides, adjusted total and verdict
live in their own `review` row, and every change appends an audit event (who, when, before,
after, why). Blind review (on by default): a reviewer sees other reviewers' verdicts, audit
entries and the agreement between reviewers only once they submitted their own.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from coach.errors import Forbidden, InvalidInput, NotFound
from coach.review_schemas import (
    Agreement,
    AttemptView,
    AuditView,
    CriterionView,
    QuestionView,
    ReviewView,
    Span,
    TranscriptPage,
    TranscriptQuery,
    TranscriptRow,
    TranscriptView,
)
from coach.schemas import JudgeOpinion
from coach.scoring import Grade, Rubric
from coach.service.judging import opinion_in
from coach.storage import records, transcripts
from coach.storage import review_records as reviews
from coach.storage.db import read_transaction, write_transaction
from coach.storage.models import Attempt
from coach.storage.review import Recommendation as Recommendation
from coach.storage.review import Review, ReviewerPublic, Transcript

MAX_REASON_CHARS = 2_000
MAX_NOTES_CHARS = 10_000
COACH_SIDE = {"excellent": "strong_yes", "strong": "yes", "partial": "no", "weak": "strong_no"}
"""The coach's implied recommendation, from its band: what reviewer agreement compares with."""


class UnknownTranscript(NotFound):
    code = "unknown_transcript"


def coach_recommendation(band: str | None) -> str | None:
    return COACH_SIDE.get(band or "")


def _is_yes(recommendation: str | None) -> bool:
    return recommendation in ("yes", "strong_yes")


def transcript_filter(query: TranscriptQuery) -> transcripts.TranscriptFilter:
    def day(value: Any, extra: int = 0) -> datetime | None:
        if value is None:
            return None
        return datetime.combine(value, time(), tzinfo=UTC) + timedelta(days=extra)

    return transcripts.TranscriptFilter(
        candidate=query.candidate or None,
        question_id=query.question or None,
        score_min=query.score_min,
        score_max=query.score_max,
        band=query.band,
        flag=query.flag or None,
        review_status=query.status,
        since=day(query.since),
        until=day(query.until, 1),
        kind=query.kind,
    )


def _pseudonym(transcript_id: uuid.UUID) -> str:
    return f"Candidate {str(transcript_id)[:8]}"


def candidate_label(row: Transcript, hide: bool) -> str:
    if hide or not (row.candidate_name or row.candidate_email):
        return _pseudonym(row.id) if hide or row.kind == "interview" else "Practice answer"
    if row.candidate_name and row.candidate_email:
        return f"{row.candidate_name} <{row.candidate_email}>"
    return row.candidate_name or row.candidate_email or ""


def _agreement(row: Transcript) -> Agreement:
    n, yes = row.review_count, row.yes_count
    coach = coach_recommendation(row.band)
    return Agreement(
        reviews=n,
        reviewers_agree=None if n < 2 else yes in (0, n),
        coach_agree=0 if coach is None else (yes if _is_yes(coach) else n - yes),
    )


def _row(
    row: Transcript, mine: Review | None, viewer: ReviewerPublic, blind: bool
) -> TranscriptRow:
    submitted = mine is not None and mine.submitted_at is not None
    return TranscriptRow(
        id=row.id,
        kind=row.kind,
        candidate=candidate_label(row, viewer.hide_candidate),
        questions=[q for q in row.questions.split(",") if q],
        attempt_count=row.attempt_count,
        score=row.score,
        band=row.band,
        flags=[f for f in row.flags.split(",") if f],
        started_at=row.started_at,
        last_activity_at=row.last_activity_at,
        review_count=row.review_count,
        my_review="none" if mine is None else ("submitted" if submitted else "draft"),
        agreement=_agreement(row) if (submitted or not blind) else None,
    )


def list_transcripts(
    *, session: Session, viewer: ReviewerPublic, query: TranscriptQuery, blind: bool
) -> TranscriptPage:
    """One page of interviews and standalone attempts, filtered and sorted."""
    with read_transaction(session):
        rows, total = transcripts.list_transcripts(
            session=session,
            where=transcript_filter(query),
            viewer_id=viewer.id,
            sort=query.sort,
            offset=(query.page - 1) * query.per_page,
            limit=query.per_page,
        )
        mine = reviews.reviews_for(
            session=session, transcript_ids=[r.id for r in rows], reviewer_id=viewer.id
        )
    by_transcript = {r.transcript_id: r for r in mine}
    return TranscriptPage(
        rows=[_row(r, by_transcript.get(r.id), viewer, blind) for r in rows],
        total=total,
        page=query.page,
        per_page=query.per_page,
        pages=max(1, math.ceil(total / query.per_page)),
    )


# --- one transcript ----------------------------------------------------------------------------


def _transcript_id(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    except ValueError:
        raise UnknownTranscript(f"No transcript {value}.") from None


def _load(session: Session, transcript_id: uuid.UUID) -> tuple[Transcript, list[Attempt]]:
    row = transcripts.get_transcript(session=session, transcript_id=transcript_id)
    if row is None:
        raise UnknownTranscript(f"No transcript {transcript_id}.")
    if row.kind == "interview":
        attempts = list(records.list_attempts(session=session, interview_id=row.id))
    else:
        attempt = records.get_attempt(session=session, attempt_id=row.id)
        attempts = [attempt] if attempt else []
    return row, attempts


def _spans(grade: Grade) -> list[Span]:
    spans = [
        Span(start=e.start, end=e.end, kind="criterion", ref=c.id)
        for c in grade.criteria
        if c.met
        for e in c.evidence
    ]
    spans += [
        Span(start=e.start, end=e.end, kind="misconception", ref=m.id)
        for m in grade.misconceptions
        for e in m.evidence
    ]
    spans += [
        Span(start=e.start, end=e.end, kind="flag", ref=f.code)
        for f in grade.flags
        for e in f.evidence
    ]
    return spans


def reviewed_score(grade: Grade, overrides: Mapping[str, Any]) -> float:
    """The coach's score moved by criterion overrides: +max points for "met", -earned points for
    "not met", as a share of the rubric's points. Caps and penalties are not re-applied."""
    if not overrides or not grade.max_points:
        return grade.score
    delta = 0.0
    for criterion in grade.criteria:
        override = overrides.get(criterion.id)
        if override is None:
            continue
        delta += (criterion.max_points if override["met"] else 0.0) - criterion.points
    return round(min(100.0, max(0.0, grade.score + 100.0 * delta / grade.max_points)), 1)


def _attempt_view(
    attempt: Attempt,
    number: int,
    overrides: Mapping[str, Any],
    regraded: int,
    judge: JudgeOpinion | None,
) -> AttemptView:
    grade = Grade.model_validate(attempt.grade)
    verdicts = {v.id: v for v in judge.verdicts} if judge else {}
    criteria = [
        CriterionView(
            id=c.id,
            dimension=c.dimension,
            description=c.description,
            status=c.status.value,
            coach_met=c.met,
            points=c.points,
            max_points=c.max_points,
            feedback=c.feedback,
            note=c.note,
            evidence=[e.text for e in c.evidence],
            judge_status=verdicts[c.id].status.value if c.id in verdicts else None,
            judge_reason=verdicts[c.id].reason if c.id in verdicts else "",
            judge_quote=verdicts[c.id].quote if c.id in verdicts else "",
            override_met=overrides[c.id]["met"] if c.id in overrides else None,
            override_reason=overrides[c.id]["reason"] if c.id in overrides else None,
        )
        for c in grade.criteria
    ]
    return AttemptView(
        id=attempt.id,
        question_id=attempt.question_id,
        attempt_number=number,
        answer=attempt.answer,
        submitted_at=attempt.submitted_at,
        time_taken_s=attempt.time_taken_s,
        score=attempt.score,
        band=grade.band,
        reviewed_score=reviewed_score(grade, overrides),
        criteria=criteria,
        misconceptions=grade.misconceptions,
        flags=grade.flags,
        spans=_spans(grade),
        judge=judge,
        regraded=regraded,
    )


def _review_view(review: Review, emails: Mapping[int, str], viewer_id: int) -> ReviewView:
    assert review.id is not None
    return ReviewView(
        id=review.id,
        reviewer=emails.get(review.reviewer_id, f"reviewer {review.reviewer_id}"),
        mine=review.reviewer_id == viewer_id,
        overrides=review.overrides,
        adjusted_score=review.adjusted_score,
        adjusted_reason=review.adjusted_reason,
        recommendation=review.recommendation,
        notes=review.notes,
        updated_at=review.updated_at,
        submitted_at=review.submitted_at,
    )


def _total(row: Transcript, views: Sequence[AttemptView]) -> float | None:
    """Reviewed total, aggregated like the coach's: best per question, unanswered counting 0."""
    if not views:
        return None
    best: dict[str, float] = {}
    for view in views:
        best[view.question_id] = max(view.reviewed_score, best.get(view.question_id, 0.0))
    return round(sum(best.values()) / max(1, row.question_count), 1)


def read_transcript(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    viewer: ReviewerPublic,
    transcript_id: str | uuid.UUID,
    blind: bool,
) -> TranscriptView:
    """A whole transcript as this reviewer may see it."""
    key = _transcript_id(transcript_id)
    with read_transaction(session):
        row, attempts = _load(session, key)
        all_reviews = list(reviews.list_reviews(session=session, transcript_id=key))
        events = list(reviews.list_audit_events(session=session, transcript_id=key))
        regraded = {a.id: len(records.list_grade_history(session=session, attempt_id=a.id))
                    for a in attempts}  # fmt: skip
        judged = {
            a.id: opinion_in(session=session, attempt_id=a.id, grade=Grade.model_validate(a.grade))
            for a in attempts
        }
        ids = {r.reviewer_id for r in all_reviews} | {e.reviewer_id for e in events}
        emails = reviews.reviewer_emails(session=session, reviewer_ids=sorted(ids))
    mine = next((r for r in all_reviews if r.reviewer_id == viewer.id), None)
    can_see_others = not blind or (mine is not None and mine.submitted_at is not None)
    others = [r for r in all_reviews if r.reviewer_id != viewer.id]
    overrides = mine.overrides if mine else {}
    numbers: dict[str, int] = {}
    views: list[AttemptView] = []
    for attempt in attempts:
        numbers[attempt.question_id] = numbers.get(attempt.question_id, 0) + 1
        views.append(
            _attempt_view(
                attempt,
                numbers[attempt.question_id],
                overrides.get(str(attempt.id), {}),
                regraded[attempt.id],
                judged[attempt.id],
            )
        )
    order = list(dict.fromkeys([q for q in row.questions.split(",") if q] + list(numbers)))
    questions = [
        QuestionView(
            question_id=q,
            title=rubrics[q].title if q in rubrics else q,
            attempts=[v for v in views if v.question_id == q],
        )
        for q in order
    ]
    hide = viewer.hide_candidate
    total = _total(row, views)
    return TranscriptView(
        row=_row(row, mine, viewer, blind),
        candidate_name=None if hide else row.candidate_name,
        candidate_email=None if hide else row.candidate_email,
        identity_hidden=hide,
        questions=questions,
        coach_recommendation=coach_recommendation(row.band),
        reviewed_score=mine.adjusted_score if mine and mine.adjusted_score is not None else total,
        my_review=_review_view(mine, emails, viewer.id) if mine else None,
        other_reviews=[_review_view(r, emails, viewer.id) for r in others]
        if can_see_others
        else [],
        hidden_reviews=0 if can_see_others else sum(1 for r in others if r.submitted_at),
        audit=[
            AuditView(
                at=e.at,
                reviewer=emails.get(e.reviewer_id, f"reviewer {e.reviewer_id}"),
                entity=e.entity,
                before=e.before,
                after=e.after,
                reason=e.reason,
            )
            for e in events
            if can_see_others or e.reviewer_id == viewer.id
        ],
        blind=blind,
    )


# --- changing a review -------------------------------------------------------------------------


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"Give a reason for {what}: it is kept in the audit trail.")
    if len(text) > MAX_REASON_CHARS:
        raise InvalidInput(f"The reason is longer than {MAX_REASON_CHARS:,} characters.")
    return text


def _my_review(session: Session, row: Transcript, viewer: ReviewerPublic, now: datetime) -> Review:
    review = reviews.get_review(session=session, transcript_id=row.id, reviewer_id=viewer.id)
    if review is None:
        review = reviews.save_review(
            session=session,
            review=Review(
                transcript_id=row.id,
                reviewer_id=viewer.id,
                overrides={},
                created_at=now,
                updated_at=now,
            ),
        )
    return review


def _owned(session: Session, viewer: ReviewerPublic, transcript_id: uuid.UUID,
           review_id: int | None) -> None:  # fmt: skip
    """A request naming a review must name the viewer's own; another's is Forbidden."""
    if review_id is None:
        return
    review = reviews.get_review_by_id(session=session, review_id=review_id)
    if review is None or review.transcript_id != transcript_id:
        raise NotFound(f"No review {review_id} on transcript {transcript_id}.")
    if review.reviewer_id != viewer.id:
        raise Forbidden("That is another reviewer's verdict: you can change only your own.")


def override_criterion(
    *,
    session: Session,
    viewer: ReviewerPublic,
    transcript_id: str | uuid.UUID,
    attempt_id: str,
    criterion_id: str,
    met: bool | None,
    reason: str | None,
    now: datetime,
    review_id: int | None = None,
) -> None:
    """Mark one criterion met / not met for this reviewer (None: back to the coach's verdict)."""
    key = _transcript_id(transcript_id)
    why = _reason(reason, "changing a criterion")
    with write_transaction(session):
        _owned(session, viewer, key, review_id)
        row, attempts = _load(session, key)
        attempt = next((a for a in attempts if str(a.id) == attempt_id), None)
        if attempt is None:
            raise NotFound(f"Attempt {attempt_id} is not part of transcript {key}.")
        grade = Grade.model_validate(attempt.grade)
        criterion = next((c for c in grade.criteria if c.id == criterion_id), None)
        if criterion is None:
            raise NotFound(f"Attempt {attempt_id} has no criterion {criterion_id!r}.")
        review = _my_review(session, row, viewer, now)
        overrides = {a: dict(c) for a, c in review.overrides.items()}
        mine = overrides.setdefault(attempt_id, {})
        before = mine.get(criterion_id, {}).get("met", criterion.met)
        after = criterion.met if met is None else met
        if met is None or met == criterion.met:
            mine.pop(criterion_id, None)
        else:
            mine[criterion_id] = {"met": met, "reason": why}
        review.overrides = {a: c for a, c in overrides.items() if c}
        review.updated_at = now
        reviews.save_review(session=session, review=review)
        reviews.add_audit_event(
            session=session,
            review=review,
            at=now,
            entity=f"criterion {attempt.question_id}/{criterion_id}, attempt {attempt.id}",
            before={"met": before},
            after={"met": after},
            reason=why,
        )


def adjust_score(
    *,
    session: Session,
    viewer: ReviewerPublic,
    transcript_id: str | uuid.UUID,
    score: float | None,
    reason: str | None,
    now: datetime,
    review_id: int | None = None,
) -> None:
    """Set this reviewer's total for the transcript (None: back to the computed one)."""
    key = _transcript_id(transcript_id)
    why = _reason(reason, "adjusting the total")
    if score is not None and not (0.0 <= score <= 100.0 and math.isfinite(score)):
        raise InvalidInput("The adjusted total must be between 0 and 100.")
    with write_transaction(session):
        _owned(session, viewer, key, review_id)
        row, _ = _load(session, key)
        review = _my_review(session, row, viewer, now)
        before = review.adjusted_score
        review.adjusted_score = None if score is None else round(score, 1)
        review.adjusted_reason = None if score is None else why
        review.updated_at = now
        reviews.save_review(session=session, review=review)
        reviews.add_audit_event(
            session=session, review=review, at=now, entity="score",
            before={"score": before}, after={"score": review.adjusted_score}, reason=why,
        )  # fmt: skip


def save_verdict(
    *,
    session: Session,
    viewer: ReviewerPublic,
    transcript_id: str | uuid.UUID,
    recommendation: str | None,
    notes: str | None,
    submit: bool,
    now: datetime,
    review_id: int | None = None,
) -> ReviewView:
    """Record this reviewer's recommendation and notes; `submit` makes the verdict count (and
    lifts blind review for them). Each changed field is an audit event."""
    key = _transcript_id(transcript_id)
    if recommendation is not None and recommendation not in {r.value for r in Recommendation}:
        choices = ", ".join(r.value for r in Recommendation)
        raise InvalidInput(f"The recommendation must be one of {choices}.")
    text = (notes or "").strip()
    if len(text) > MAX_NOTES_CHARS:
        raise InvalidInput(f"The notes are longer than {MAX_NOTES_CHARS:,} characters.")
    with write_transaction(session):
        _owned(session, viewer, key, review_id)
        row, _ = _load(session, key)
        review = _my_review(session, row, viewer, now)
        if submit and (recommendation or review.recommendation) is None:
            raise InvalidInput("Choose a recommendation before submitting the review.")
        changes: list[tuple[str, Any, Any]] = []
        if recommendation is not None and recommendation != review.recommendation:
            changes.append(("recommendation", review.recommendation, recommendation))
            review.recommendation = recommendation
        if notes is not None and text != review.notes:
            changes.append(("notes", review.notes, text))
            review.notes = text
        if submit and review.submitted_at is None:
            changes.append(("submitted", None, now.isoformat()))
            review.submitted_at = now
        review.updated_at = now
        reviews.save_review(session=session, review=review)
        for entity, before, after in changes:
            reviews.add_audit_event(
                session=session, review=review, at=now, entity=entity,
                before=before, after=after, reason=text if entity != "notes" else "",
            )  # fmt: skip
        transcripts.set_review_counts(session=session, transcript=row)
        return _review_view(review, {viewer.id: viewer.email}, viewer.id)
