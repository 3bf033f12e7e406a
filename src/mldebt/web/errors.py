"""One JSON error shape for every error: `{"error": {"code", "message", "details"}}`.

Covers our own errors (`MldebtError` with its http_status), Starlette's HTTP errors (404 for an
unknown route, 405 for a wrong method), request validation (422) and anything unexpected (500,
reported to Sentry when configured, without the request body).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mldebt.errors import MldebtError

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 414: "uri_too_long",
              415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
              431: "request_header_fields_too_large", 503: "unavailable"}


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
    async def _mldebt(_: Request, exc: MldebtError) -> JSONResponse:
        return from_mldebt(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        return error_response(422, "invalid_request", f"{'.'.join(first['loc'])}: {first['message']}", details)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__} (it has been logged)")
