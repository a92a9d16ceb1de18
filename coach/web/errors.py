"""One place that turns errors into responses: JSON under /api, HTML pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from coach.errors import CoachError, LoginRequired

log = logging.getLogger(__name__)
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _render(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        error: dict[str, Any] = {"code": code, "message": message}
        if details:
            error["details"] = details
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    name = f"{status}.html"
    if templates.env.loader is None or name not in templates.env.list_templates():
        name = "error.html"
    context = {"status": status, "code": code, "message": message}
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


async def coach_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CoachError)
    if isinstance(exc, LoginRequired) and not _is_api(request):
        from coach.web.review_auth import login_url

        return RedirectResponse(login_url(request), status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return _render(request, exc.status_code, exc.code, exc.message, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details: list[dict[str, Any]] = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            reason = err.get("ctx", {}).get("error", "JSON decode error")
            msg = f"The request body is not valid JSON ({reason}). Send a JSON object."
            details.append({"field": "body", "message": msg, "type": "json_invalid"})
            continue
        field = _field(tuple(err.get("loc", ())))
        details.append({"field": field, "message": str(err.get("msg")), "type": err.get("type")})
    summary = "; ".join(
        (d["message"] if d["type"] == "json_invalid" else f"{d['field']}: {d['message']}").rstrip(
            "."
        )
        for d in details
    )
    return _render(request, 422, "invalid_request", f"Invalid request: {summary}.", details=details)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"Nothing at {request.method} {request.url.path}. The API is described at /docs."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}. See /docs."
    elif exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI's "There was an error parsing the body" for a body that is not UTF-8.
        message = (
            f"The request body is not valid UTF-8 (byte {exc.__cause__.start} cannot be "
            "decoded). Send the answer as UTF-8 text."
        )
    code = HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else None
    return _render(request, exc.status_code, code, message, headers=headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _render(
        request, 500, "internal_error", "Something went wrong on our side; nothing was saved."
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(CoachError, coach_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
