"""Reviewer pages under /review: login, transcripts, one transcript with its review, tokens, export.

Every route but the login form depends on a logged-in reviewer (else a redirect to the login
page), and every POST passes `csrf_guard` (router-wide) before anything else runs. Routes parse
forms, call coach.service and render templates/review/*; all text is autoescaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from markupsafe import Markup, escape

from coach import service
from coach.errors import InvalidInput, TooManyRequests, Unauthorized
from coach.review_schemas import BAND_CHOICES, FLAG_CHOICES, AttemptView, TranscriptQuery
from coach.service import accounts, export, review
from coach.service.accounts import ReviewerPublic
from coach.service.review import Recommendation
from coach.web.deps import NowDep, RubricsDep, SessionDep, SettingsDep
from coach.web.review_auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    PageReviewer,
    clear_session_cookie,
    csrf_guard,
    csrf_token,
    ensure_login_nonce,
    set_session_cookie,
)

router = APIRouter(prefix="/review", include_in_schema=False, dependencies=[Depends(csrf_guard)])
Text = Annotated[str, Form()]
OptionalText = Annotated[str | None, Form()]
ReviewIdField = Annotated[int | None, Form()]
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def install(app: FastAPI) -> None:
    app.include_router(router)


def _render(
    request: Request,
    name: str,
    context: dict[str, Any],
    settings: SettingsDep,
    status_code: int = 200,
) -> Response:
    templates = request.app.state.templates
    context = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request, settings),
        "recommendations": list(Recommendation),
        **context,
    }
    response: Response = templates.TemplateResponse(
        request, f"review/{name}", context, status_code=status_code, headers=PAGE_HEADERS
    )
    return response


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=PAGE_HEADERS)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/review/") and not target.startswith("//"):
        return target
    return "/review/transcripts"


def highlight(attempt: AttemptView) -> Markup:
    """The answer with evidence marked: each piece is escaped first, then wrapped."""
    text = attempt.answer
    spans = [(max(0, s.start), min(len(text), s.end), s) for s in attempt.spans if s.start < s.end]
    cuts = sorted({0, len(text), *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    out: list[str] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[start:end])
        covering = [s for a, b, s in spans if a <= start and end <= b]
        if not covering:
            out.append(str(piece))
            continue
        kinds = sorted({s.kind for s in covering})
        refs = " ".join(dict.fromkeys(s.ref for s in covering))
        classes = " ".join(f"ev-{k}" for k in kinds)
        out.append(
            f'<mark class="ev {classes}" data-refs="{escape(refs)}" title="{escape(refs)}">'
            f"{piece}</mark>"
        )
    return Markup("".join(out))


# --- login -------------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    response = Response()
    ensure_login_nonce(request, response)
    page = _render(request, "login.html", {"next": _safe_next(next), "error": None}, settings)
    for value in response.headers.getlist("set-cookie"):
        page.headers.append("set-cookie", value)
    return page


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    email: Text,
    password: Text,
    next: OptionalText = None,
) -> Response:
    try:
        token, _ = accounts.log_in(
            session=session,
            email=email,
            password=password,
            address=_client_address(request),
            now=now,
            hours=settings.review_session_hours,
        )
    except (Unauthorized, TooManyRequests) as exc:
        context = {"next": _safe_next(next), "error": exc.message, "email": email}
        return _render(request, "login.html", context, settings, status_code=exc.status_code)
    response = _back(_safe_next(next))
    set_session_cookie(request, response, token, settings.review_session_hours)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    accounts.log_out(session=session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = _back("/review/login")
    clear_session_cookie(response)
    return response


# --- transcripts -------------------------------------------------------------------------------


@router.get("")
@router.get("/")
def home(reviewer: PageReviewer) -> Response:
    return _back("/review/transcripts")


def _query_string(query: TranscriptQuery, **change: Any) -> str:
    values = {**query.model_dump(exclude_defaults=True, mode="json"), **change}
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@router.get("/transcripts")
def transcripts(
    request: Request,
    reviewer: PageReviewer,
    session: SessionDep,
    settings: SettingsDep,
    rubrics: RubricsDep,
    query: Annotated[TranscriptQuery, Query()],
) -> Response:
    page = review.list_transcripts(
        session=session, viewer=reviewer, query=query, blind=settings.review_blind
    )
    context = {
        "reviewer": reviewer,
        "page": page,
        "query": query,
        "questions": service.ordered_ids(rubrics),
        "bands": BAND_CHOICES,
        "flags": FLAG_CHOICES,
        "link": lambda **change: "/review/transcripts?" + _query_string(query, **change),
        "export_link": lambda fmt: (
            "/review/export?"
            + _query_string(query, format=fmt, page=None, per_page=None, sort=None)
        ),
    }
    return _render(request, "transcripts.html", context, settings)


@router.get("/transcripts/{transcript_id}")
def transcript(
    transcript_id: str,
    request: Request,
    reviewer: PageReviewer,
    session: SessionDep,
    settings: SettingsDep,
    rubrics: RubricsDep,
) -> Response:
    view = review.read_transcript(
        session=session,
        rubrics=rubrics,
        viewer=reviewer,
        transcript_id=transcript_id,
        blind=settings.review_blind,
    )
    answers = {a.id: highlight(a) for q in view.questions for a in q.attempts}
    context = {"reviewer": reviewer, "view": view, "answers": answers}
    return _render(request, "transcript.html", context, settings)


def _met(value: str) -> bool | None:
    choices: dict[str, bool | None] = {"met": True, "not_met": False, "coach": None}
    if value not in choices:
        raise InvalidInput("Choose met, not met, or the coach's verdict.")
    return choices[value]


@router.post("/transcripts/{transcript_id}/criteria")
def override_criterion(
    transcript_id: str,
    reviewer: PageReviewer,
    session: SessionDep,
    now: NowDep,
    attempt_id: Text,
    criterion_id: Text,
    verdict: Text,
    reason: OptionalText = None,
    review_id: ReviewIdField = None,
) -> Response:
    review.override_criterion(
        session=session, viewer=reviewer, transcript_id=transcript_id, attempt_id=attempt_id,
        criterion_id=criterion_id, met=_met(verdict), reason=reason, now=now, review_id=review_id,
    )  # fmt: skip
    return _back(f"/review/transcripts/{transcript_id}#criterion-{attempt_id}-{criterion_id}")


@router.post("/transcripts/{transcript_id}/score")
def adjust_score(
    transcript_id: str,
    reviewer: PageReviewer,
    session: SessionDep,
    now: NowDep,
    score: OptionalText = None,
    reason: OptionalText = None,
    review_id: ReviewIdField = None,
) -> Response:
    try:
        value = float(score) if score and score.strip() else None
    except ValueError:
        raise InvalidInput("The adjusted total must be a number from 0 to 100.") from None
    review.adjust_score(
        session=session, viewer=reviewer, transcript_id=transcript_id, score=value,
        reason=reason, now=now, review_id=review_id,
    )  # fmt: skip
    return _back(f"/review/transcripts/{transcript_id}#total")


@router.post("/transcripts/{transcript_id}/verdict")
def save_verdict(
    transcript_id: str,
    reviewer: PageReviewer,
    session: SessionDep,
    now: NowDep,
    recommendation: OptionalText = None,
    notes: OptionalText = None,
    action: Annotated[Literal["save", "submit"], Form()] = "save",
    review_id: ReviewIdField = None,
) -> Response:
    review.save_verdict(
        session=session, viewer=reviewer, transcript_id=transcript_id,
        recommendation=recommendation or None, notes=notes, submit=action == "submit", now=now,
        review_id=review_id,
    )  # fmt: skip
    return _back(f"/review/transcripts/{transcript_id}#verdict")


@router.post("/preferences")
def preferences(
    reviewer: PageReviewer,
    session: SessionDep,
    hide_candidate: Annotated[bool, Form()] = False,
    next: OptionalText = None,
) -> Response:
    accounts.set_hide_candidate(session=session, reviewer_id=reviewer.id, hide=hide_candidate)
    return _back(_safe_next(next))


# --- export and tokens -------------------------------------------------------------------------


def export_response(
    request: Request,
    reviewer: ReviewerPublic,
    settings: SettingsDep,
    query: TranscriptQuery,
    fmt: export.ExportFormat,
) -> Response:
    """Stream an export in its own session (the request's may close before streaming ends)."""
    engine = request.app.state.engine

    def chunks() -> Any:
        with service.open_session(engine) as session:
            yield from export.export_transcripts(
                session=session, fmt=fmt, query=query, viewer=reviewer, blind=settings.review_blind
            )

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {
        **PAGE_HEADERS,
        "Content-Disposition": f'attachment; filename="transcripts-{stamp}.{fmt}"',
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(chunks(), media_type=export.MEDIA_TYPES[fmt], headers=headers)


@router.get("/export")
def export_transcripts(
    request: Request,
    reviewer: PageReviewer,
    settings: SettingsDep,
    query: Annotated[TranscriptQuery, Query()],
    format: Literal["csv", "jsonl"] = "csv",
) -> Response:
    return export_response(request, reviewer, settings, query, format)


@router.get("/tokens")
def tokens(
    request: Request, reviewer: PageReviewer, session: SessionDep, settings: SettingsDep
) -> Response:
    found = accounts.list_api_tokens(session=session, reviewer_id=reviewer.id)
    context = {"reviewer": reviewer, "tokens": found, "created": None}
    return _render(request, "tokens.html", context, settings)


@router.post("/tokens")
def create_token(
    request: Request,
    reviewer: PageReviewer,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    name: Text,
) -> Response:
    created = accounts.create_api_token(
        session=session, reviewer_id=reviewer.id, name=name, now=now
    )
    found = accounts.list_api_tokens(session=session, reviewer_id=reviewer.id)
    context = {"reviewer": reviewer, "tokens": found, "created": created}
    return _render(request, "tokens.html", context, settings, status_code=201)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int, reviewer: PageReviewer, session: SessionDep, now: NowDep
) -> Response:
    accounts.revoke_api_token(session=session, token_id=token_id, now=now, reviewer_id=reviewer.id)
    return _back("/review/tokens")
