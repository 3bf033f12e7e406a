"""One JSON error shape for every error: `{"error": {"code", "message", "details"}}`.

Covers our own errors (`MldebtError` with its http_status), Starlette's HTTP errors (404 for an
unknown route, 405 for a wrong method), request validation (422) and anything unexpected (500,
reported to Sentry when configured, without the request body).

A browser asking for a dashboard page (a path outside the API's prefixes, `Accept: text/html`) gets
the 400/403/404/405/422 of that page as an HTML page in the dashboard's layout instead: same status,
the message escaped, never cached. API callers keep the JSON shape whatever they accept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mldebt.errors import MldebtError
from mldebt.report.environment import template_environment

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 414: "uri_too_long",
              415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
              431: "request_header_fields_too_large", 503: "unavailable"}


API_PREFIXES = ("/api", "/hooks", "/metrics", "/healthz", "/static")
HTML_STATUSES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                 422: "Invalid request"}
MAX_MESSAGE = 500  # characters of an error message shown on an HTML error page


def is_page_request(request: Request) -> bool:
    """A browser asking for a dashboard page: not under an API prefix, and it accepts HTML."""
    path = request.url.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The dashboard's error page: the status and the (escaped) message in the base layout."""
    text = message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"
    html = template_environment().get_template("error.html.j2").render(
        title=f"{status} {HTML_STATUSES[status]}", status=status, heading=HTML_STATUSES[status], message=text,
        user=None, csrf=None, nav=(), current="")
    return HTMLResponse(html, status_code=status, headers={**(headers or {}), "cache-control": "no-store"})


def _answer(request: Request, json_response: JSONResponse, status: int, message: str) -> HTMLResponse | JSONResponse:
    if status in HTML_STATUSES and is_page_request(request):
        kept = {k: v for k, v in json_response.headers.items() if k.lower() in ("allow", "www-authenticate")}
        return error_page(status, message, kept)
    return json_response


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(status: int, code: str, message: str, details: list[Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def from_mldebt(exc: MldebtError, extra: list[Any] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return error_response(exc.http_status, exc.code, exc.message, [*exc.details, *(extra or [])], headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(MldebtError)
    async def _mldebt(request: Request, exc: MldebtError) -> HTMLResponse | JSONResponse:
        return _answer(request, from_mldebt(exc), exc.http_status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> HTMLResponse | JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        response = error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))
        return _answer(request, response, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> HTMLResponse | JSONResponse:
        details = [{"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        message = f"{'.'.join(first['loc'])}: {first['message']}"
        return _answer(request, error_response(422, "invalid_request", message, details), 422, message)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__} (it has been logged)")
