"""create_app(settings): the ASGI app. No import-time settings, engine or rubrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from coach import service
from coach.config import Settings
from coach.scoring import load_rubrics, prepare
from coach.web import api, errors, pages, review_api, review_pages
from coach.web.limits import BodySizeLimit, body_limit_for

TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(settings: Settings | None = None, *, check_schema: bool = True) -> FastAPI:
    """The app for `settings` (read from the environment when None).

    Rubrics load now, so a broken rubric stops the server before it takes requests. The engine
    connects lazily; at startup (lifespan) the schema must be at the code's head revision.
    """
    settings = settings or Settings()
    rubrics = load_rubrics(settings.rubrics_dir)
    for rubric in rubrics.values():
        prepare(rubric)
    engine = service.connect(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_schema:
            service.ensure_schema_current(engine)
        try:
            async with service.judge_worker(engine=engine, rubrics=rubrics, settings=settings):
                yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Interview Coach",
        summary="Free-text AI-infrastructure interview answers, graded against rubrics.",
        version="1",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rubrics = rubrics
    app.state.engine = engine
    app.state.interview_access = service.InterviewAccessCache()
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    errors.install(app)
    app.include_router(api.router)
    pages.install(app)
    review_pages.install(app)
    app.include_router(review_api.router)
    app.add_middleware(BodySizeLimit, max_bytes=body_limit_for(settings.max_answer_chars))
    return app
