"""The mock interview: every question in turn, then a summary only the token's holder opens.

URLs carry the interview id and its token (/interviews/{id}/{token}/...), like a private link;
pages send `Referrer-Policy: same-origin` (base.html) so the token does not leak to other sites.
Answers get no feedback until the end, as in a real interview; the summary links each result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from coach import service
from coach.errors import InvalidInput
from coach.schemas import InterviewState, InterviewStatus
from coach.web.browser import BrowserDep, FormBrowserDep, redirect, render
from coach.web.deps import NowDep, RubricsDep, SessionDep, SettingsDep
from coach.web.views import habit_rows, result_context

router = APIRouter(prefix="/interviews", include_in_schema=False)


def _url(request: Request, name: str, status: InterviewStatus, token: str, **more: str) -> str:
    return str(request.url_for(name, interview_id=str(status.id), token=token, **more))


def _question(
    request: Request,
    status: InterviewStatus,
    token: str,
    *,
    rubrics: RubricsDep,
    max_chars: int,
    answer: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    current = status.current_question
    if status.state is not InterviewState.OPEN or current is None:
        return redirect(request, _url(request, "interview_summary", status, token))
    context = {
        "question": rubrics[current.id],
        "action": _url(request, "interview_answer", status, token),
        "finish_url": _url(request, "interview_finish", status, token),
        "draft_key": f"interview:{status.id}:{current.id}",
        "answer": answer,
        "error": error,
        "max_chars": max_chars,
        "interview": status,
        "position": status.answered + 1,
    }
    return render(request, "candidate/answer.html", context, status_code=status_code)


@router.post("", name="interview_start")
def start(
    request: Request, session: SessionDep, rubrics: RubricsDep, now: NowDep, _: FormBrowserDep
) -> Response:
    opened = service.open_interview(session=session, rubrics=rubrics, now=now)
    return redirect(request, _url(request, "interview", opened, opened.token))


@router.get("/{interview_id}/{token}", name="interview")
def question_page(
    request: Request,
    interview_id: str,
    token: str,
    session: SessionDep,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
    _: BrowserDep,
) -> Response:
    status = service.interview_status(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    return _question(request, status, token, rubrics=rubrics, max_chars=settings.max_answer_chars)


@router.post("/{interview_id}/{token}/answers", name="interview_answer")
def answer(
    request: Request,
    interview_id: str,
    token: str,
    session: SessionDep,
    rubrics: RubricsDep,
    settings: SettingsDep,
    now: NowDep,
    _: FormBrowserDep,
    question_id: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
) -> Response:
    text = answer.replace("\r\n", "\n")
    try:
        service.submit_answer(
            session=session,
            rubrics=rubrics,
            question_id=question_id,
            answer=text,
            max_chars=settings.max_answer_chars,
            client=service.Client.WEB,
            interview_id=interview_id,
            token=token,
            now=now,
            judge=settings.judge_enabled,
        )
    except InvalidInput as exc:
        status = service.interview_status(
            session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
        )
        return _question(
            request,
            status,
            token,
            rubrics=rubrics,
            max_chars=settings.max_answer_chars,
            answer=text,
            error=exc.message,
            status_code=exc.status_code,
        )
    status = service.interview_status(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    if status.current_question is None:
        status = service.finish_interview(
            session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
        )
        return redirect(request, _url(request, "interview_summary", status, token))
    return redirect(request, _url(request, "interview", status, token))


@router.post("/{interview_id}/{token}/finish", name="interview_finish")
def finish(
    request: Request,
    interview_id: str,
    token: str,
    session: SessionDep,
    rubrics: RubricsDep,
    now: NowDep,
    _: FormBrowserDep,
) -> Response:
    status = service.finish_interview(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    return redirect(request, _url(request, "interview_summary", status, token))


@router.get("/{interview_id}/{token}/summary", name="interview_summary")
def summary(
    request: Request,
    interview_id: str,
    token: str,
    session: SessionDep,
    rubrics: RubricsDep,
    now: NowDep,
    _: BrowserDep,
) -> Response:
    status = service.interview_status(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    if status.state is InterviewState.OPEN:
        return redirect(request, _url(request, "interview", status, token))
    report = service.interview_report(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    links = {
        q.question_id: _url(
            request, "interview_attempt", status, token, attempt_id=str(q.latest_attempt_id)
        )
        for q in report.questions
        if q.latest_attempt_id is not None
    }
    context = {
        "report": report,
        "habits": habit_rows({h.id: h.average for h in report.habits}),
        "links": links,
        "titles": {q.question_id: q.title for q in report.questions},
        "clear_draft": f"interview:{status.id}:",
    }
    return render(request, "candidate/summary.html", context)


@router.get("/{interview_id}/{token}/attempts/{attempt_id}", name="interview_attempt")
def attempt_page(
    request: Request,
    interview_id: str,
    token: str,
    attempt_id: str,
    session: SessionDep,
    rubrics: RubricsDep,
    now: NowDep,
    _: BrowserDep,
) -> Response:
    attempt = service.read_attempt(
        session=session, rubrics=rubrics, attempt_id=attempt_id, token=token, now=now
    )
    context = result_context(attempt=attempt, rubric=rubrics.get(attempt.question_id))
    context |= {
        "try_again_url": request.url_for("practise", question_id=attempt.question_id),
        "back_url": request.url_for("interview_summary", interview_id=interview_id, token=token),
        "back_label": "Back to the interview summary",
    }
    return render(request, "candidate/result.html", context)
