"""The warm-up drill: pick the best of four answers, then see why it is best."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from coach.errors import NotFound
from coach.web import drill
from coach.web.browser import BrowserDep, FormBrowserDep, redirect, render
from coach.web.deps import RubricsDep
from coach.web.views import HABITS

router = APIRouter(prefix="/drill", include_in_schema=False)
DRILL_COOKIE_MAX_AGE_S = 400 * 24 * 3600
NO_CHOICE = "Pick one of the four answers (A, B, C or D), then check your choice."


def _item(question_id: str) -> drill.DrillItem:
    item = drill.load_drill().item(question_id)
    if item is None:
        ids = ", ".join(i.question_id for i in drill.load_drill().items)
        raise NotFound(f"There is no warm-up for {question_id!r}. Warm-ups exist for: {ids}.")
    return item


@router.get("", name="drill")
def index(request: Request, _: BrowserDep) -> Response:
    content = drill.load_drill()
    done = drill.completed_from(request.cookies.get(drill.COOKIE), content)
    upcoming = next((i for i in content.items if i.question_id not in done), content.items[0])
    context = {"drill": content, "done": done, "start": upcoming}
    return render(request, "candidate/drill_index.html", context)


def _item_view(
    request: Request,
    item: drill.DrillItem,
    rubrics: RubricsDep,
    *,
    picked: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    content = drill.load_drill()
    context = {
        "drill": content,
        "item": item,
        "number": content.items.index(item) + 1,
        "done": drill.completed_from(request.cookies.get(drill.COOKIE), content),
        "picked": item.option(picked) if picked else None,
        "best": item.option(item.best),
        "next_item": content.next_after(item.question_id),
        "can_practise": item.question_id in rubrics,
        "error": error,
        "habit_titles": {h_id: title for h_id, title, _ in HABITS},
    }
    return render(request, "candidate/drill.html", context, status_code=status_code)


@router.get("/{question_id}", name="drill_item")
def item_page(
    request: Request,
    question_id: str,
    rubrics: RubricsDep,
    _: BrowserDep,
    picked: str | None = None,
) -> Response:
    return _item_view(request, _item(question_id), rubrics, picked=picked)


@router.post("/{question_id}", name="drill_pick")
def pick(
    request: Request,
    question_id: str,
    rubrics: RubricsDep,
    _: FormBrowserDep,
    choice: Annotated[str, Form()] = "",
) -> Response:
    content = drill.load_drill()
    item = _item(question_id)
    if item.option(choice) is None:
        return _item_view(request, item, rubrics, error=NO_CHOICE, status_code=422)
    done = set(drill.completed_from(request.cookies.get(drill.COOKIE), content))
    done.add(item.question_id)
    url = request.url_for("drill_item", question_id=item.question_id).include_query_params(
        picked=choice
    )
    response = redirect(request, str(url) + "#verdict")
    response.set_cookie(
        drill.COOKIE,
        ".".join(i.question_id for i in content.items if i.question_id in done),
        max_age=DRILL_COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
