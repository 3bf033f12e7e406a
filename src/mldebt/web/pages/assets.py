"""`/static/<name>`: the dashboard's own files, shipped in the package (no CDN, works offline).

Public: the stylesheets hold no data, and the sign-in page needs them. Only the files shipped in
`mldebt/web/static/` with a known type are served (a page's own stylesheet is `<page>.css` there, linked from
its template's `styles` block); no path from the URL reaches the file system.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from mldebt.errors import NotFoundError

router = APIRouter(include_in_schema=False)
TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
ASSETS: dict[str, str] = {
    entry.name: TYPES[Path(entry.name).suffix]
    for entry in resources.files("mldebt.web").joinpath("static").iterdir()
    if Path(entry.name).suffix in TYPES
}


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return resources.files("mldebt.web").joinpath("static", name).read_bytes()


@router.get("/static/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFoundError(f"no asset {name[:100]!r}")
    return Response(_asset(name), media_type=ASSETS[name], headers={"cache-control": "public, max-age=3600"})
