"""REST API of the backlog under `/api/v1/debt`: list, show, add, change, rebuild.

Viewers read, editors write. Writes run through the server's one writer (`run_use_case`), like
every other write of the API; the actor recorded in an item's history is `token:<token name>`.
Request bodies are pydantic models with bounded fields (422 naming the field); the service checks
the rest (400 naming the field, 404, 409 for a duplicate).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mldebt.domain.debt import MAX_EFFORT_HOURS, DebtCategory, DebtStatus, EvidenceKind
from mldebt.domain.finding import Severity
from mldebt.service import backlog as backlog_service
from mldebt.service import debt_edit
from mldebt.service.writer import GroupCommitWriter
from mldebt.settings import CATALOG_FILE
from mldebt.store.debt import MAX_PAGE
from mldebt.web.auth import Caller, editor, viewer
from mldebt.web.context import context

router = APIRouter(prefix="/api/v1/debt", tags=["debt"])
AsViewer = Annotated[Caller, Depends(viewer)]
AsEditor = Annotated[Caller, Depends(editor)]


class Effort(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low_hours: float = Field(ge=0, le=MAX_EFFORT_HOURS, allow_inf_nan=False)
    high_hours: float = Field(ge=0, le=MAX_EFFORT_HOURS, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low_hours > self.high_hours:
            raise ValueError(f"low_hours ({self.low_hours:g}) is above high_hours ({self.high_hours:g})")
        return self


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind
    ref: str = Field(min_length=1, max_length=debt_edit.MAX_REF)
    summary: str = Field("", max_length=debt_edit.MAX_SUMMARY)


class NewItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=debt_edit.MAX_TITLE)
    component: str = Field(min_length=1, max_length=100)
    category: DebtCategory
    effort: Effort
    severity: Severity = Severity.MEDIUM
    owner: str | None = Field(None, max_length=debt_edit.MAX_OWNER)
    description: str | None = Field(None, max_length=debt_edit.MAX_DESCRIPTION)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class ItemChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: DebtStatus | None = None
    owner: str | None = Field(None, max_length=debt_edit.MAX_OWNER)
    title: str | None = Field(None, min_length=1, max_length=debt_edit.MAX_TITLE)
    description: str | None = Field(None, max_length=debt_edit.MAX_DESCRIPTION)
    effort: Effort | None = None
    category: DebtCategory | None = None
    severity: Severity | None = None
    accepted_reason: str | None = Field(None, max_length=debt_edit.MAX_REASON)
    accepted_until: dt.date | None = None


def _actor(caller: Caller) -> str:
    return f"token:{caller.name}"[:200]


def _writer(request: Request) -> GroupCommitWriter:
    writer = context(request).writer
    assert writer is not None, "the app's lifespan starts the writer"
    return writer


@router.get("", summary="The backlog by priority, paginated and filtered")
def list_debt(request: Request, _: AsViewer,
              component: str | None = Query(None, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
              category: DebtCategory | None = None,
              status: Annotated[list[DebtStatus] | None, Query(max_length=5)] = None,
              limit: int = Query(50, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0, le=10_000_000)
              ) -> dict[str, Any]:
    statuses = [str(s) for s in status] if status else None
    items, total = backlog_service.backlog_page(context(request).store, component, category and str(category),
                                                statuses, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{item_id}", summary="One debt item with its evidence, breakdown and history")
def get_debt(request: Request, _: AsViewer, item_id: int) -> dict[str, Any]:
    return backlog_service.show_item(context(request).store, item_id)


@router.post("", status_code=201, summary="Add a debt item by hand")
async def add_debt(request: Request, caller: AsEditor, body: NewItem) -> dict[str, Any]:
    evidence = [e.model_dump(mode="json") for e in body.evidence]
    return await _writer(request).run_use_case(
        _add, body.title, body.component, str(body.category), body.effort.low_hours, body.effort.high_hours,
        _actor(caller), dt.datetime.now(dt.UTC), body.owner, body.description, evidence, str(body.severity))


def _add(store: Any, title: str, component: str, category: str, low: float, high: float, actor: str,
         now: dt.datetime, owner: str | None, description: str | None, evidence: list[dict[str, Any]],
         severity: str) -> dict[str, Any]:
    return backlog_service.add_debt(store, title, component, category, low, high, actor, now, owner=owner,
                                    description=description, evidence=evidence, severity=severity)


@router.patch("/{item_id}", summary="Change a debt item's status, owner, effort, category or acceptance")
async def change_debt(request: Request, caller: AsEditor, item_id: int, body: ItemChange) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "effort" in changes and changes["effort"] is None:
        changes.pop("effort")
    return await _writer(request).run_use_case(backlog_service.update_debt, item_id, changes, _actor(caller),
                                               dt.datetime.now(dt.UTC))


@router.post("/rebuild", summary="Rebuild the backlog from the open findings and rescore it")
async def rebuild(request: Request, _: AsEditor) -> dict[str, Any]:
    rates = backlog_service.load_rates(Path(CATALOG_FILE.value()))  # read before the unit of work: no file I/O in it
    result = await _writer(request).run_use_case(backlog_service.rebuild_backlog, dt.datetime.now(dt.UTC), rates)
    return result.to_dict()

