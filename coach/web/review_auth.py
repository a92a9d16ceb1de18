"""Who is asking, for the reviewer pages and API: login cookies, CSRF tokens, API tokens.

Pages: a login sets `coach_review`, a random token whose SHA-256 names a server-side session row
(HttpOnly, SameSite=Lax, Secure over HTTPS, expiring with the session), so logging out or
disabling a reviewer ends it at once. Every state-changing form carries a CSRF token, an HMAC of
that cookie (or, before login, of a `coach_review_login` nonce cookie) under Settings.secret_key;
`csrf_guard` refuses any unsafe request without it. The API takes only
`Authorization: Bearer <reviewer API token>`, never cookies, so it needs no CSRF token.

An empty COACH_SECRET_KEY means a random key per process: fine for one process, but forms
opened before a restart (or served by another worker) are refused; set it in production.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from coach.config import Settings
from coach.errors import CsrfFailed, LoginRequired, Unauthorized
from coach.service import accounts
from coach.service.accounts import ReviewerPublic
from coach.web.deps import NowDep, SessionDep, SettingsDep

SESSION_COOKIE = "coach_review"
LOGIN_COOKIE = "coach_review_login"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

review_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ReviewerToken",
    description="A reviewer's personal API token (coach_rt_...), created at /review/tokens.",
)


def secret_key(request: Request, settings: Settings) -> bytes:
    state = request.app.state
    key: bytes | None = getattr(state, "review_secret", None)
    if key is None:
        configured = settings.secret_key.get_secret_value()
        key = configured.encode() if configured else secrets.token_bytes(32)
        state.review_secret = key
    return key


def _binding(request: Request) -> str:
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        return "session:" + session_token
    nonce = request.cookies.get(LOGIN_COOKIE)
    return "login:" + nonce if nonce else ""


def csrf_token(request: Request, settings: Settings, binding: str | None = None) -> str:
    """The CSRF token forms on this page must carry."""
    bound = _binding(request) if binding is None else binding
    digest = hmac.new(secret_key(request, settings), bound.encode(), hashlib.sha256)
    return digest.hexdigest()


async def csrf_guard(request: Request, settings: SettingsDep) -> None:
    """Refuse a state-changing request whose form lacks a valid CSRF token."""
    if request.method in SAFE_METHODS:
        return
    binding = _binding(request)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = csrf_token(request, settings, binding)
    if not binding or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def ensure_login_nonce(request: Request, response: Response) -> str:
    """Give an anonymous browser the nonce its login form's CSRF token is bound to."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.cookies[LOGIN_COOKIE] = nonce
        response.set_cookie(
            LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="lax",
            secure=request.url.scheme == "https", path="/review",
        )  # fmt: skip
    return nonce


def set_session_cookie(request: Request, response: Response, token: str, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/review")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_url(request: Request) -> str:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return "/review/login?next=" + quote(target, safe="")


def page_reviewer(request: Request, session: SessionDep, now: NowDep) -> ReviewerPublic:
    """The logged-in reviewer, or LoginRequired (pages redirect to the login form)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    reviewer = accounts.reviewer_for_login(session=session, token=token, now=now)
    if reviewer is None:
        raise LoginRequired("Log in as a reviewer to see this page.")
    return reviewer


def api_reviewer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(review_bearer)],
    session: SessionDep,
    now: NowDep,
) -> ReviewerPublic:
    """The reviewer an API token belongs to, or 401."""
    token = credentials.credentials if credentials else ""
    reviewer = accounts.reviewer_for_api_token(session=session, token=token, now=now)
    if reviewer is None:
        raise Unauthorized(
            "Send a valid reviewer API token as `Authorization: Bearer coach_rt_...`; "
            "create one at /review/tokens or with `coach reviewer token create`."
        )
    return reviewer


PageReviewer = Annotated[ReviewerPublic, Depends(page_reviewer)]
ApiReviewer = Annotated[ReviewerPublic, Depends(api_reviewer)]
