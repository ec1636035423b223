"""``create_app(settings)``: the FastAPI application, the API under /api and the web UI at /.

The engine lives on ``app.state``; the schema is upgraded when the app is created. One error
handler renders every :class:`~litreview.errors.LitreviewError` (and FastAPI's validation
errors) as ``{"error": {"status", "message", ...}}``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from litreview import __version__
from litreview.config import (
    SETTINGS_VARIABLE,
    Settings,
    load_settings,
    resource_path,
    settings_from_json,
)
from litreview.db import database_fault, make_engine, upgrade
from litreview.errors import LitreviewError

logger = logging.getLogger(__name__)
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def create_app(
    settings: Settings, *, arxiv_transport: httpx.BaseTransport | None = None
) -> FastAPI:
    """The application over ``settings.database_url`` (upgraded to the newest schema)."""
    app = FastAPI(
        docs_url=None,  # served by _serve_web from vendored assets, under the app's CSP
        redoc_url=None,
        title="litreview",
        version=__version__,
        description="A literature-review manager: papers, annotations, areas, relations.",
    )
    open_library(app, settings, arxiv_transport=arxiv_transport)
    _install_error_handlers(app)
    _install_security(app, settings)
    _include_routers(app)
    _serve_web(app)
    return app


def open_library(
    app: FastAPI, settings: Settings, *, arxiv_transport: httpx.BaseTransport | None = None
) -> None:
    """Point ``app`` at ``settings.database_url`` (upgraded to the newest schema): what its
    requests read from ``app.state``."""
    engine = make_engine(settings.database_url, busy_timeout=settings.busy_timeout)
    upgrade(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.arxiv_transport = arxiv_transport


def create_app_from_environment() -> FastAPI:
    """What each ``serve --workers N`` worker process runs (uvicorn starts workers by import
    path): the application with the settings ``serve`` put in the environment, else those of
    the ``LITREVIEW_*`` variables."""
    passed = os.environ.get(SETTINGS_VARIABLE)
    return create_app(settings_from_json(passed) if passed else load_settings())


def _include_routers(app: FastAPI) -> None:
    from fastapi import Depends

    from litreview.api import health, members, routers
    from litreview.api.schemas import ERROR_RESPONSES

    # Every library route first checks who is asking (nobody, while accounts are off).
    access = [Depends(members.member_access)]
    for router in routers.all_routers():
        open_router = router in (health.router, members.router)
        app.include_router(
            router,
            prefix="/api",
            dependencies=[] if open_router else access,
            responses=ERROR_RESPONSES,
        )


def error_response(error: LitreviewError) -> JSONResponse:
    return JSONResponse(error.to_dict(), status_code=error.status)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of the request's path answers (Starlette's 405 names only the
    first route's). The routes of the path are found once (a method no route has matches
    their path only), then asked for each method: one walk of every route, not six."""
    on_path = [
        route
        for route in app.router.routes
        if route.matches({**scope, "method": ""})[0] != Match.NONE
    ]
    return [
        method
        for method in HTTP_METHODS
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in on_path)
    ]


def _malformed_json(error: dict[str, Any]) -> JSONResponse:
    """A body that is not JSON at all: 400, as the schema documents (422 is for JSON that
    does not fit)."""
    reason = str(error.get("ctx", {}).get("error", "")) or "cannot be decoded"
    position = error.get("loc", ("body", 0))[-1]
    message = f"the body is not valid JSON: {reason} (at character {position})"
    return JSONResponse({"error": {"status": 400, "message": message}}, status_code=400)


def _install_error_handlers(app: FastAPI) -> None:
    async def on_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LitreviewError)
        return error_response(exc)

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        malformed = [err for err in exc.errors() if err.get("type") == "json_invalid"]
        if malformed:
            return _malformed_json(malformed[0])
        problems = [
            {
                "where": ".".join(str(part) for part in err.get("loc", ())),
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        first = problems[0] if problems else {"where": "request", "message": "invalid"}
        message = f"invalid input at {first['where']}: {first['message']}"
        body = {"error": {"status": 422, "message": message, "problems": problems}}
        return JSONResponse(body, status_code=422)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body = {"error": {"status": exc.status_code, "message": str(exc.detail)}}
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.scope))}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, sa.exc.DBAPIError)
        fault = database_fault(exc)
        if fault.status == 500:
            logger.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(fault)

    app.add_exception_handler(LitreviewError, on_error)
    app.add_exception_handler(sa.exc.DBAPIError, on_database_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def _install_security(app: FastAPI, settings: Settings) -> None:
    from litreview.api.guard import GuardMiddleware

    app.add_middleware(GuardMiddleware, settings=settings)


def _serve_web(app: FastAPI) -> None:
    web = resource_path("web")
    index = web / "index.html"

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(index, media_type="text/html")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs_page() -> FileResponse:
        return FileResponse(web / "docs.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=web), name="static")
