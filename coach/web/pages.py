"""Candidate pages: home, practise one question, the result of an attempt.

Routes parse the form, call coach.service and render templates/candidate/*. The mock interview
and the drill live in interview_pages.py and drill_pages.py; `install` registers all three.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from coach import service
from coach.config import Settings
from coach.errors import InvalidInput
from coach.scoring import Rubric
from coach.web import drill_pages, interview_pages
from coach.web.browser import BrowserDep, FormBrowserDep, redirect, render
from coach.web.deps import NowDep, RubricsDep, SessionDep, SettingsDep
from coach.web.views import HABITS, iso, result_context

STATIC = Path(__file__).resolve().parent / "static"
router = APIRouter(include_in_schema=False)

AnswerField = Annotated[str, Form()]
StartedField = Annotated[str, Form()]


def install(app: FastAPI) -> None:
    """The candidate pages, their static files and the shared page templates' globals."""
    app.include_router(router)
    app.include_router(interview_pages.router)
    app.include_router(drill_pages.router)
    if not any(getattr(r, "name", None) == "static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=STATIC), name="static")


def parse_started(value: str, now: datetime) -> datetime | None:
    """The hidden started_at of the answer form; anything odd means "when it was submitted"."""
    try:
        started = datetime.fromisoformat(value)
    except ValueError:
        return None
    if started.utcoffset() is None or started > now:
        return None
    return started


def clean_answer(text: str) -> str:
    """Browsers send textarea line breaks as CRLF; store what the candidate saw."""
    return text.replace("\r\n", "\n")


def answer_form(
    request: Request,
    *,
    rubric: Rubric,
    action: str,
    draft_key: str,
    max_chars: int,
    answer: str = "",
    error: str | None = None,
    started_at: str = "",
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context = {
        "question": rubric,
        "action": action,
        "draft_key": draft_key,
        "answer": answer,
        "error": error,
        "started_at": started_at,
        "max_chars": max_chars,
        **extra,
    }
    return render(request, "candidate/answer.html", context, status_code=status_code)


@router.get("/", name="home")
def home(
    request: Request, session: SessionDep, rubrics: RubricsDep, browser: BrowserDep
) -> Response:
    progress = service.browser_progress(session=session, rubrics=rubrics, browser_key=browser)
    return render(request, "candidate/home.html", {"progress": progress, "habits": HABITS})


@router.get("/questions/{question_id}", name="practise")
def practise_form(
    request: Request,
    question_id: str,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
    browser: BrowserDep,
) -> Response:
    question = service.get_question(rubrics=rubrics, question_id=question_id)
    return _practise_form(request, rubrics[question.id], settings, started_at=iso(now))


def _practise_form(request: Request, rubric: Rubric, settings: Settings, **form: Any) -> Response:
    """The practice form for one question (`form`: answer, error, started_at, status_code)."""
    return answer_form(
        request,
        rubric=rubric,
        action=str(request.url_for("practise_submit", question_id=rubric.id)),
        draft_key=f"practise:{rubric.id}",
        max_chars=settings.max_answer_chars,
        **form,
    )


@router.post("/questions/{question_id}", name="practise_submit")
def practise_submit(
    request: Request,
    question_id: str,
    session: SessionDep,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
    browser: FormBrowserDep,
    answer: AnswerField = "",
    started_at: StartedField = "",
) -> Response:
    question = service.get_question(rubrics=rubrics, question_id=question_id)
    text = clean_answer(answer)
    try:
        receipt = service.practise_in_browser(
            session=session,
            rubrics=rubrics,
            browser_key=browser,
            question_id=question.id,
            answer=text,
            max_chars=settings.max_answer_chars,
            now=now,
            started_at=parse_started(started_at, now),
            judge=settings.judge_enabled,
        )
    except InvalidInput as exc:
        return _practise_form(
            request,
            rubrics[question.id],
            settings,
            answer=text,
            error=exc.message,
            started_at=started_at,
            status_code=exc.status_code,
        )
    return redirect(request, str(request.url_for("attempt", attempt_id=receipt.attempt_id)))


@router.get("/attempts/{attempt_id}", name="attempt")
def attempt_page(
    request: Request,
    attempt_id: str,
    session: SessionDep,
    rubrics: RubricsDep,
    now: NowDep,
    browser: BrowserDep,
) -> Response:
    found = service.read_practice_result(
        session=session, rubrics=rubrics, attempt_id=attempt_id, browser_key=browser, now=now
    )
    attempt = found.attempt
    context = result_context(
        attempt=attempt,
        rubric=rubrics.get(attempt.question_id),
        change=found.change,
        attempt_number=found.attempt_number,
    )
    context |= {
        "try_again_url": request.url_for("practise", question_id=attempt.question_id),
        "back_url": request.url_for("home"),
        "back_label": "All questions",
        "clear_draft": f"practise:{attempt.question_id}",
    }
    return render(request, "candidate/result.html", context)
