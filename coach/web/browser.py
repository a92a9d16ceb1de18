"""The browser's identity and the forms' CSRF tokens, and the one place pages are rendered.

Identity: a long-lived random key in the HttpOnly, SameSite=Lax cookie `coach_browser`. Practice
attempts are stored with the key's hash as their read token (coach.service.practice), so only this
browser opens them and "this browser's progress" needs no account.

CSRF: every state-changing form carries `csrf`, an HMAC of the browser key under the app's secret
(COACH_SECRET_KEY; a random per-process key when unset). A cross-site page can neither read the
cookie nor compute the token, and SameSite=Lax keeps the cookie off cross-site POSTs anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from coach.errors import Forbidden

COOKIE = "coach_browser"
COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest lifetime browsers accept
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{32,64}")
BAD_CSRF = (
    "This form expired or did not come from this site (its security token does not match this "
    "browser). Go back, reload the page and submit again; your draft is kept in this browser."
)


def page_secret(request: Request) -> bytes:
    """The key CSRF tokens are signed with: COACH_SECRET_KEY, else one random key per process."""
    secret: bytes | None = getattr(request.app.state, "page_secret", None)
    if secret is None:
        configured = request.app.state.settings.secret_key.get_secret_value()
        secret = configured.encode() if configured else secrets.token_bytes(32)
        request.app.state.page_secret = secret
    return secret


def browser_key(request: Request) -> str:
    """This browser's key from its cookie, or a new one (set on the response by `render`)."""
    key = request.cookies.get(COOKIE)
    if key is None or not _WELL_FORMED.fullmatch(key):
        key = getattr(request.state, "new_browser_key", None) or secrets.token_urlsafe(32)
        request.state.new_browser_key = key
    return key


def csrf_token(request: Request, key: str) -> str:
    return hmac.new(page_secret(request), b"csrf\0" + key.encode(), hashlib.sha256).hexdigest()


def checked_browser(request: Request, csrf: Annotated[str, Form()] = "") -> str:
    """The browser key of a form POST whose CSRF token matches it; 403 otherwise."""
    key = browser_key(request)
    if getattr(request.state, "new_browser_key", None) or not hmac.compare_digest(
        csrf, csrf_token(request, key)
    ):
        raise Forbidden(BAD_CSRF)
    return key


BrowserDep = Annotated[str, Depends(browser_key)]
FormBrowserDep = Annotated[str, Depends(checked_browser)]


def remember(request: Request, response: Response) -> Response:
    """Set the browser cookie when this request created the key."""
    key = getattr(request.state, "new_browser_key", None)
    if key:
        response.set_cookie(
            COOKIE,
            key,
            max_age=COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """A page from templates/, with the form token for this browser and its cookie."""
    key = browser_key(request)
    context = {"csrf_token": csrf_token(request, key), **context}
    response = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    assert isinstance(response, Response)
    return remember(request, response)


def redirect(request: Request, url: str) -> Response:
    """303 See Other: after a POST the browser GETs the new page (reload does not re-post)."""
    return remember(request, RedirectResponse(url, status_code=303))
