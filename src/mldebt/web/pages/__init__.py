"""The dashboard's pages: one module per page, each with a `router`, registered in `PAGES`.

A later page adds its module to `PAGES`; its routes depend on `base.page_viewer` / `base.page_editor`
(`AsPageViewer`, `AsPageEditor`) and answer with `base.render(request, "<page>.html.j2", user, ...)`,
whose template extends `base.html.j2` (templates in `mldebt/web/templates/`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse

from mldebt.web.pages import assets, backlog, drift, feedback, incidents, inventory, login, monitors, overview, scan
from mldebt.web.pages.base import SignInRequired

PAGES: tuple[APIRouter, ...] = (
    assets.router, login.router, overview.router, inventory.router, backlog.router, incidents.router, drift.router,
    feedback.router, scan.router, monitors.router,
)


def install(app: FastAPI) -> None:
    """Mount every page and send signed-out visitors to /login."""
    for router in PAGES:
        app.include_router(router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, exc: SignInRequired) -> RedirectResponse:
        return RedirectResponse(exc.next_path, status_code=303, headers={"cache-control": "no-store"})
