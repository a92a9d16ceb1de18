"""Export transcripts with grades and reviews as CSV (one row per attempt) or JSON Lines (one
object per transcript), streamed in batches so 100,000 attempts never sit in memory at once.

Every text cell of the CSV is neutralised for spreadsheets: a cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading apostrophe, so Excel, LibreOffice and Google
Sheets show it as text instead of running it as a formula (CSV injection).

Blind review holds here too: a reviewer's export carries other reviewers' verdicts only on
transcripts they have submitted a review for. `coach export` (the operator, with database access)
gets every review.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session

from coach.review_schemas import TranscriptQuery
from coach.scoring import Grade
from coach.service.review import (
    candidate_label,
    coach_recommendation,
    reviewed_score,
    transcript_filter,
)
from coach.storage import review_records as reviews
from coach.storage import transcripts
from coach.storage.db import read_transaction
from coach.storage.models import Attempt
from coach.storage.review import Review, ReviewerPublic, Transcript

ExportFormat = Literal["csv", "jsonl"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "transcript_id", "kind", "candidate_name", "candidate_email", "transcript_score",
    "transcript_band", "coach_recommendation", "transcript_flags", "attempt_id", "question_id",
    "attempt_number", "submitted_at", "time_taken_s", "score", "band", "criteria_met",
    "criteria_missed", "misconceptions", "flags", "reviews", "recommendations",
    "reviewed_scores", "overrides", "notes", "answer",
)  # fmt: skip
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
BATCH = 200


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet will not execute; numbers and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _visible(found: Sequence[Review], viewer: ReviewerPublic | None, blind: bool) -> list[Review]:
    if viewer is None or not blind:
        return list(found)
    mine = next((r for r in found if r.reviewer_id == viewer.id), None)
    if mine is not None and mine.submitted_at is not None:
        return list(found)
    return [mine] if mine else []


def _identity(row: Transcript, viewer: ReviewerPublic | None) -> tuple[str | None, str | None]:
    if viewer is not None and viewer.hide_candidate:
        return candidate_label(row, True), None
    return row.candidate_name, row.candidate_email


def _review_json(review: Review, emails: Mapping[int, str]) -> dict[str, Any]:
    return {
        "reviewer": emails.get(review.reviewer_id),
        "recommendation": review.recommendation,
        "adjusted_score": review.adjusted_score,
        "adjusted_reason": review.adjusted_reason,
        "overrides": review.overrides,
        "notes": review.notes,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
    }


def _jsonl(
    row: Transcript,
    attempts: Sequence[Attempt],
    found: Sequence[Review],
    emails: Mapping[int, str],
    viewer: ReviewerPublic | None,
) -> str:
    name, email = _identity(row, viewer)
    record = {
        "transcript_id": str(row.id),
        "kind": row.kind,
        "candidate_name": name,
        "candidate_email": email,
        "score": row.score,
        "band": row.band,
        "coach_recommendation": coach_recommendation(row.band),
        "flags": [f for f in row.flags.split(",") if f],
        "started_at": row.started_at.isoformat(),
        "last_activity_at": row.last_activity_at.isoformat(),
        "attempts": [
            {
                "attempt_id": str(a.id),
                "question_id": a.question_id,
                "answer": a.answer,
                "submitted_at": a.submitted_at.isoformat(),
                "time_taken_s": a.time_taken_s,
                "score": a.score,
                "grade": a.grade,
            }
            for a in attempts
        ],
        "reviews": [_review_json(r, emails) for r in found],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def _csv_rows(
    row: Transcript,
    attempts: Sequence[Attempt],
    found: Sequence[Review],
    emails: Mapping[int, str],
    viewer: ReviewerPublic | None,
) -> Iterator[list[Any]]:
    name, email = _identity(row, viewer)
    who = [emails.get(r.reviewer_id, str(r.reviewer_id)) for r in found]
    head = [
        str(row.id), row.kind, name, email, row.score, row.band,
        coach_recommendation(row.band), " ".join(f for f in row.flags.split(",") if f),
    ]  # fmt: skip
    recommendations = "; ".join(
        f"{w}: {r.recommendation or '-'}" for w, r in zip(who, found, strict=True)
    )
    notes = " | ".join(f"{w}: {r.notes}" for w, r in zip(who, found, strict=True) if r.notes)
    if not attempts:
        yield head + [None] * 11 + [len(found), recommendations, None, None, notes, None]
        return
    numbers: dict[str, int] = {}
    for attempt in attempts:
        numbers[attempt.question_id] = numbers.get(attempt.question_id, 0) + 1
        grade = Grade.model_validate(attempt.grade)
        key = str(attempt.id)
        scores = "; ".join(
            f"{w}: {reviewed_score(grade, r.overrides.get(key, {}))}"
            for w, r in zip(who, found, strict=True)
        )
        overrides = "; ".join(
            f"{w}: {cid}={'met' if o['met'] else 'not met'} ({o['reason']})"
            for w, r in zip(who, found, strict=True)
            for cid, o in r.overrides.get(key, {}).items()
        )
        yield head + [
            key, attempt.question_id, numbers[attempt.question_id],
            attempt.submitted_at.isoformat(), attempt.time_taken_s, attempt.score, grade.band,
            " ".join(grade.met_ids()), " ".join(c.id for c in grade.criteria if not c.met),
            " ".join(m.id for m in grade.misconceptions), " ".join(grade.flag_codes()),
            len(found), recommendations, scores, overrides, notes, attempt.answer,
        ]  # fmt: skip


def export_transcripts(
    *,
    session: Session,
    fmt: ExportFormat,
    query: TranscriptQuery | None = None,
    since: datetime | None = None,
    viewer: ReviewerPublic | None = None,
    blind: bool = True,
) -> Iterator[str]:
    """The export, chunk by chunk (a CSV header first). Filters as the list's; oldest first."""
    where = transcript_filter(query or TranscriptQuery())
    if since is not None:
        where = transcripts.TranscriptFilter(**{**where.__dict__, "since": since})
    if fmt == "csv":
        yield _csv_line(list(CSV_COLUMNS))
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        with read_transaction(session):
            rows = transcripts.transcripts_after(
                session=session,
                where=where,
                viewer_id=viewer.id if viewer else None,
                after=after,
                limit=BATCH,
            )
            attempts = transcripts.attempts_of(session=session, rows=rows)
            found = reviews.reviews_for(session=session, transcript_ids=[r.id for r in rows])
            emails = reviews.reviewer_emails(
                session=session, reviewer_ids=sorted({r.reviewer_id for r in found})
            )
        by_transcript: dict[uuid.UUID, list[Review]] = {}
        for review in found:
            by_transcript.setdefault(review.transcript_id, []).append(review)
        chunk: list[str] = []
        for row in rows:
            visible = _visible(by_transcript.get(row.id, []), viewer, blind)
            if fmt == "jsonl":
                chunk.append(_jsonl(row, attempts[row.id], visible, emails, viewer))
            else:
                chunk += [
                    _csv_line(r) for r in _csv_rows(row, attempts[row.id], visible, emails, viewer)
                ]
        if chunk:
            yield "".join(chunk)
        if len(rows) < BATCH:
            return
        after = (rows[-1].last_activity_at, rows[-1].id)


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([spreadsheet_safe(v) for v in values])
    return buffer.getvalue()
