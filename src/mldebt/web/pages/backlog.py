"""`/backlog` and `/backlog/{id}`: the ranked backlog, filtered and paginated, and one item with its evidence.

Viewers read. Editors change an item's status, owner and effort with the item page's form, which
posts back to `/backlog/{id}` (CSRF-checked for cookie sessions) and runs `update_debt` through the
server's one writer, recorded as `token:<token name>` like the API's edits; success answers 303 to
the item (post/redirect/get), a refused change shows the page again with 400 and the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mldebt.domain.roles import ROLE_NAMES, Role
from mldebt.errors import UserInputError
from mldebt.service import backlog as backlog_service
from mldebt.service.backlog_view import BacklogFilters, backlog_list, edit_values, form_changes, item_view
from mldebt.service.debt_view import CATEGORY_NAMES, STATUS_NAMES
from mldebt.service.writer import GroupCommitWriter
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageEditor, AsPageViewer, PageUser, render
from mldebt.web.pages.paging import PageNumber, Pager
from mldebt.web.security import read_form

router = APIRouter(include_in_schema=False)
Statuses = Annotated[list[str] | None, Query()]


def _actor(user: PageUser) -> str:
    return f"token:{user.name}"[:200]  # the API's convention: one actor per token, whichever door it used


@router.get("/backlog", response_class=HTMLResponse)
def backlog(request: Request, user: AsPageViewer, component: str | None = None, category: str | None = None,
            status: Statuses = None, owner: str | None = None, page: PageNumber = 1) -> HTMLResponse:
    filters = BacklogFilters.of(component, category, status, owner)
    pager = Pager.of("/backlog", page, 0, filters.params())
    try:
        listing = backlog_list(context(request).store, filters, pager.per_page, pager.offset)
    except UserInputError as exc:
        return render(request, "backlog.html.j2", user, status_code=400, title="Backlog", filters=filters,
                      listing=None, pager=pager, error=exc.message, categories=CATEGORY_NAMES, statuses=STATUS_NAMES)
    pager = Pager.of("/backlog", page, listing.total, filters.params())
    return render(request, "backlog.html.j2", user, title="Backlog", filters=filters, listing=listing, pager=pager,
                  error=None, categories=CATEGORY_NAMES, statuses=STATUS_NAMES)


def _item_page(request: Request, user: PageUser, item_id: int, form: dict[str, str] | None = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    view = item_view(context(request).store, item_id, dt.datetime.now(dt.UTC))
    editor = user.role in ROLE_NAMES and Role(user.role).allows(Role.EDITOR)
    return render(request, "backlog_item.html.j2", user, status_code=status_code,
                  title=f"Debt item {view['item']['id']}", view=view, item=view["item"], editor=editor,
                  values=edit_values(view["item"], form), error=error)


@router.get("/backlog/{item_id}", response_class=HTMLResponse)
def backlog_item(request: Request, user: AsPageViewer, item_id: int) -> HTMLResponse:
    return _item_page(request, user, item_id)


def _writer(request: Request) -> GroupCommitWriter:
    writer = context(request).writer
    assert writer is not None, "the app's lifespan starts the writer"
    return writer


@router.post("/backlog/{item_id}")
async def change_item(request: Request, user: AsPageEditor, item_id: int) -> Response:
    form = await read_form(request)
    user.check_form(form)
    current: dict[str, Any] = backlog_service.show_item(context(request).store, item_id)
    try:
        changes = form_changes(current, form)
        await _writer(request).run_use_case(backlog_service.update_debt, item_id, changes, _actor(user),
                                            dt.datetime.now(dt.UTC))
    except UserInputError as exc:
        return _item_page(request, user, item_id, form, exc.message, status_code=400)
    return RedirectResponse(f"/backlog/{item_id}", status_code=303, headers={"cache-control": "no-store"})
