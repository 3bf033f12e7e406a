"""`/static/<name>`: the dashboard's own files, shipped in the package (no CDN, works offline).

Public: the stylesheet holds no data, and the sign-in page needs it. Only names in `ASSETS` are served.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from mldebt.errors import NotFoundError

router = APIRouter(include_in_schema=False)
ASSETS = {"mldebt.css": "text/css; charset=utf-8"}


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return resources.files("mldebt.web").joinpath("static", name).read_bytes()


@router.get("/static/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFoundError(f"no asset {name[:100]!r}")
    return Response(_asset(name), media_type=ASSETS[name], headers={"cache-control": "public, max-age=3600"})
