"""The transcript table: kept current from attempts and interviews, and read by the review list.

`sync_attempt` / `sync_interview` run inside the caller's write transaction every time an attempt
is stored or re-graded and an interview opens or finishes (coach.storage.records calls them), so
the list never needs to aggregate 100,000 attempts per page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, update
from sqlmodel import Session, col, select

from coach.scoring.result import band_for
from coach.storage.models import Attempt, Interview
from coach.storage.review import Review, Transcript, TranscriptKind

MISCONCEPTION_FLAG = "misconception"
TRANSCRIPT = Transcript.__table__  # type: ignore[attr-defined]
_UPDATE_TRANSCRIPT = update(TRANSCRIPT).where(TRANSCRIPT.c.id == bindparam("key"))


def transcript_flags(flag_codes: Iterable[str], misconceptions: bool) -> set[str]:
    """The flags a grade adds to its transcript: its own, and misconception if it found any."""
    codes = {code for code in flag_codes if code}
    if misconceptions:
        codes.add(MISCONCEPTION_FLAG)
    return codes


def _flags_of(grade: Mapping[str, Any]) -> set[str]:
    codes = (str(f.get("code")) for f in grade.get("flags", []) if f.get("code"))
    return transcript_flags(codes, bool(grade.get("misconceptions")))


def _joined(values: Iterable[str]) -> str:
    """ ",a,b,": each value findable with LIKE '%,a,%'; order kept (an interview's questions)."""
    return "," + "".join(f"{v}," for v in values)


def _search(name: str | None, email: str | None) -> str:
    return f"{name or ''} {email or ''}".strip().lower()[:530]


def _row(session: Session, transcript_id: uuid.UUID, started_at: datetime) -> Transcript:
    row = session.get(Transcript, transcript_id)
    if row is None:
        row = Transcript(id=transcript_id, kind="", started_at=started_at,
                         last_activity_at=started_at)  # fmt: skip
    return row


def sync_attempt(*, session: Session, attempt: Attempt, added: bool = False) -> None:
    """Bring the transcript an attempt belongs to up to date. `added`: the attempt is new, so an
    interview's flags only grow and need not be re-read from every earlier grade."""
    if attempt.interview_id is not None:
        sync_interview(
            session=session, interview_id=attempt.interview_id, added=attempt if added else None
        )
        return
    row = _row(session, attempt.id, attempt.started_at)
    row.kind = TranscriptKind.ATTEMPT.value
    row.questions = _joined([attempt.question_id])
    row.question_count = 1
    row.attempt_count = 1
    row.score = attempt.score
    row.band = band_for(attempt.score)
    row.flags = _joined(sorted(_flags_of(attempt.grade)))
    row.started_at = attempt.started_at
    row.last_activity_at = attempt.submitted_at
    session.add(row)
    session.flush()


def _interview_flags(
    session: Session, interview_id: uuid.UUID, row: Transcript | None, added: Attempt | None
) -> set[str]:
    if added is not None and row is not None:
        return {f for f in row.flags.split(",") if f} | _flags_of(added.grade)
    grades = session.exec(select(Attempt.grade).where(Attempt.interview_id == interview_id)).all()
    return set().union(*(_flags_of(grade) for grade in grades))


def sync_interview(
    *, session: Session, interview_id: uuid.UUID, added: Attempt | None = None
) -> None:
    """Recompute an interview's transcript from its attempts (best score per question).
    With `added` (a new attempt) the flags are extended instead of re-read from every grade."""
    interview = session.get(Interview, interview_id)
    if interview is None:
        return
    existing = session.get(Transcript, interview.id)
    flags = _interview_flags(session, interview_id, existing, added)
    statement = select(Attempt.question_id, Attempt.score, Attempt.submitted_at)
    attempts = session.exec(statement.where(Attempt.interview_id == interview_id)).all()
    best: dict[str, float] = {}
    last = interview.started_at
    for question_id, score, submitted_at in attempts:
        best[question_id] = max(score, best.get(question_id, score))
        last = max(last, submitted_at)
    total = len(interview.question_ids)
    row = existing or _row(session, interview.id, interview.started_at)
    row.kind = TranscriptKind.INTERVIEW.value
    row.candidate_name = interview.candidate_name
    row.candidate_email = interview.candidate_email
    row.candidate_search = _search(interview.candidate_name, interview.candidate_email)
    row.questions = _joined(interview.question_ids)
    row.question_count = total
    row.attempt_count = len(attempts)
    row.score = round(sum(best.values()) / total, 1) if attempts and total else None
    row.band = band_for(row.score) if row.score is not None else None
    row.flags = _joined(sorted(flags))
    row.started_at = interview.started_at
    row.last_activity_at = max(last, interview.finished_at or last)
    row.finished_at = interview.finished_at
    session.add(row)
    session.flush()


def add_to_interview_transcript(
    *,
    session: Session,
    interview_id: uuid.UUID,
    answered: Mapping[str, Any],
    question_count: int,
    flags: Iterable[str],
    activity_at: datetime,
) -> None:
    """An interview's transcript after a new attempt, from the interview's tally (`answered`,
    this attempt included) instead of its attempts: one update."""
    best = [float(entry["best_score"]) for entry in answered.values()]
    score = round(sum(best) / question_count, 1) if best and question_count else None
    session.connection().execute(
        _UPDATE_TRANSCRIPT,
        {
            "key": interview_id,
            "attempt_count": sum(int(entry["attempts"]) for entry in answered.values()),
            "score": score,
            "band": band_for(score) if score is not None else None,
            "flags": _joined(sorted(flags)),
            "last_activity_at": activity_at,
        },
    )


def transcript_values(
    *,
    kind: str,
    transcript_id: uuid.UUID,
    question_ids: Sequence[str],
    attempt_count: int,
    score: float | None,
    flags: Iterable[str],
    started_at: datetime,
    last_activity_at: datetime,
    candidate_name: str | None = None,
    candidate_email: str | None = None,
) -> dict[str, Any]:
    """One transcript row as plain values, for bulk inserts (the benchmark's seeding)."""
    return {
        "id": transcript_id,
        "kind": kind,
        "candidate_name": candidate_name,
        "candidate_email": candidate_email,
        "candidate_search": _search(candidate_name, candidate_email),
        "questions": _joined(question_ids),
        "question_count": len(question_ids),
        "attempt_count": attempt_count,
        "score": score,
        "band": band_for(score) if score is not None else None,
        "flags": _joined(sorted(flags)),
        "started_at": started_at,
        "last_activity_at": last_activity_at,
        "finished_at": None,
        "review_count": 0,
        "yes_count": 0,
    }


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptFilter:
    """What the list can filter on; None means "any"."""

    candidate: str | None = None
    question_id: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    band: str | None = None
    flag: str | None = None
    review_status: str | None = None
    """unreviewed, reviewed, mine (I submitted a review), not_mine."""
    since: datetime | None = None
    until: datetime | None = None
    kind: str | None = None


SORTS: dict[str, tuple[Any, ...]] = {
    "date_desc": (col(Transcript.last_activity_at).desc(), col(Transcript.id).desc()),
    "date_asc": (col(Transcript.last_activity_at).asc(), col(Transcript.id).asc()),
    "score_desc": (col(Transcript.score).desc(), col(Transcript.id).desc()),
    "score_asc": (col(Transcript.score).asc(), col(Transcript.id).asc()),
}


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


ROW_FILTERS = ("candidate", "question_id", "flag", "kind")


def _needs_row_scan(where: TranscriptFilter) -> bool:
    """Whether some filter can only be checked row by row (LIKE, kind, my reviews)."""
    mine = where.review_status in ("mine", "not_mine")
    return mine or any(getattr(where, name) for name in ROW_FILTERS)


def _conditions(
    where: TranscriptFilter, viewer_id: int | None, scan: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE terms. `scan` (SQLite counts only) writes band, score and review terms so that
    no index applies: when another filter must read every row anyway, one sequential scan is
    ~3x faster than an index search plus a row lookup per match (bench/review.py)."""
    band: Any = col(Transcript.band).concat("") if scan else col(Transcript.band)
    score: Any = col(Transcript.score) + 0 if scan else col(Transcript.score)
    reviews: Any = col(Transcript.review_count) + 0 if scan else col(Transcript.review_count)
    out: list[ColumnElement[bool]] = []
    if where.candidate:
        pattern = _like(where.candidate.strip().lower())
        out.append(col(Transcript.candidate_search).like(pattern, escape="\\"))
    if where.question_id:
        out.append(col(Transcript.questions).like(_like(f",{where.question_id},"), escape="\\"))
    if where.score_min is not None:
        out.append(score >= where.score_min)
    if where.score_max is not None:
        out.append(score <= where.score_max)
    if where.band:
        out.append(band == where.band)
    if where.flag:
        out.append(col(Transcript.flags).like(_like(f",{where.flag},"), escape="\\"))
    if where.since is not None:
        out.append(col(Transcript.last_activity_at) >= where.since)
    if where.until is not None:
        out.append(col(Transcript.last_activity_at) < where.until)
    if where.kind:
        out.append(col(Transcript.kind) == where.kind)
    mine = exists().where(
        and_(
            col(Review.transcript_id) == col(Transcript.id),
            col(Review.reviewer_id) == (viewer_id if viewer_id is not None else -1),
            col(Review.submitted_at).is_not(None),
        )
    )
    match where.review_status:
        case "unreviewed":
            out.append(reviews == 0)
        case "reviewed":
            out.append(reviews > 0)
        case "mine":
            out.append(mine)
        case "not_mine":
            out.append(~mine)
    return out


def list_transcripts(
    *,
    session: Session,
    where: TranscriptFilter,
    viewer_id: int | None,
    sort: str = "date_desc",
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Transcript], int]:
    """One page of transcripts and how many match in all.

    The page's ids are found first (from the sort's index alone, however deep the page), then
    only those rows are read: a deferred join.
    """
    conditions = _conditions(where, viewer_id)
    page = select(Transcript.id).where(*conditions).order_by(*SORTS[sort])
    ids = list(session.exec(page.offset(offset).limit(limit)).all())
    found = session.exec(select(Transcript).where(col(Transcript.id).in_(ids))).all() if ids else []
    by_id = {row.id: row for row in found}
    rows = [by_id[key] for key in ids if key in by_id]
    scan = _needs_row_scan(where) and session.get_bind().dialect.name == "sqlite"
    count = select(func.count()).select_from(Transcript)
    count = count.where(*(_conditions(where, viewer_id, scan) if scan else conditions))
    total: int = session.exec(count).one()
    return rows, total


def transcripts_after(
    *,
    session: Session,
    where: TranscriptFilter,
    viewer_id: int | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int = 200,
) -> Sequence[Transcript]:
    """The next matching transcripts, oldest first, after (activity, id): keyset pagination."""
    statement = select(Transcript).where(*_conditions(where, viewer_id))
    if after is not None:
        at, key = after
        statement = statement.where(
            or_(
                col(Transcript.last_activity_at) > at,
                and_(col(Transcript.last_activity_at) == at, col(Transcript.id) > key),
            )
        )
    return session.exec(statement.order_by(*SORTS["date_asc"]).limit(limit)).all()


def get_transcript(*, session: Session, transcript_id: uuid.UUID) -> Transcript | None:
    return session.get(Transcript, transcript_id)


def set_review_counts(*, session: Session, transcript: Transcript) -> None:
    """Recount the transcript's submitted reviews (and how many say yes)."""
    statement = select(Review.recommendation).where(
        Review.transcript_id == transcript.id, col(Review.submitted_at).is_not(None)
    )
    recommendations = session.exec(statement).all()
    transcript.review_count = len(recommendations)
    transcript.yes_count = sum(1 for r in recommendations if r in ("yes", "strong_yes"))
    session.add(transcript)
    session.flush()


def attempts_of(*, session: Session, rows: Sequence[Transcript]) -> dict[uuid.UUID, list[Attempt]]:
    """The attempts of several transcripts, in submission order, in two queries."""
    interview_ids = [r.id for r in rows if r.kind == TranscriptKind.INTERVIEW.value]
    attempt_ids = [r.id for r in rows if r.kind == TranscriptKind.ATTEMPT.value]
    out: dict[uuid.UUID, list[Attempt]] = {r.id: [] for r in rows}
    order = (col(Attempt.submitted_at), col(Attempt.id))
    if interview_ids:
        statement = select(Attempt).where(col(Attempt.interview_id).in_(interview_ids))
        for attempt in session.exec(statement.order_by(*order)).all():
            assert attempt.interview_id is not None
            out[attempt.interview_id].append(attempt)
    if attempt_ids:
        statement = select(Attempt).where(col(Attempt.id).in_(attempt_ids))
        for attempt in session.exec(statement.order_by(*order)).all():
            out[attempt.id].append(attempt)
    return out
