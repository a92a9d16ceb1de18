"""Dependencies the routes declare; tests override them (each test gets its own database).

They are `async def` although none awaits anything: FastAPI runs a plain `def` dependency in
the threadpool, a thread hop per dependency per request for what is an attribute lookup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from coach import service
from coach.config import Settings
from coach.errors import Unauthorized
from coach.scoring import Rubric

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="The token returned when the interview (or standalone attempt) was created.",
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O (it connects on first use); closing returns the connection.
    with service.open_session(request.app.state.engine) as session:
        yield session


async def get_rubrics(request: Request) -> Mapping[str, Rubric]:
    rubrics: Mapping[str, Rubric] = request.app.state.rubrics
    return rubrics


async def get_interview_access(request: Request) -> service.InterviewAccessCache:
    known: service.InterviewAccessCache = request.app.state.interview_access
    return known


async def get_now() -> datetime:
    """The request's clock; tests override it to move past a time limit."""
    return service.utcnow()


async def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthorized(
            "Missing bearer token: send the token returned when the interview was created "
            "as `Authorization: Bearer <token>`."
        )
    return credentials.credentials


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
RubricsDep = Annotated[Mapping[str, Rubric], Depends(get_rubrics)]
NowDep = Annotated[datetime, Depends(get_now)]
KnownInterviewsDep = Annotated[service.InterviewAccessCache, Depends(get_interview_access)]
TokenDep = Annotated[str, Depends(get_token)]
