"""Pagination for every list page: `?page=N` (1-based), a fixed page size, links that keep the filters.

Every list page reads `page: PageNumber = 1` and slices with `Pager.offset` / `Pager.per_page`, so
no page loads a whole table; `templates/macros.html.j2` draws the links (`pager(p)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

MAX_PAGE_NUMBER = 100_000
PER_PAGE = 50


PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE_NUMBER, description="Page number, from 1")]
"""A route's `page: PageNumber = 1`: bounded, so an absurd page is refused (422), never a huge OFFSET."""


@dataclass(frozen=True)
class Pager:
    page: int
    total: int
    path: str
    params: tuple[tuple[str, str], ...] = ()  # the filters, kept in every link (empty values dropped)
    per_page: int = PER_PAGE

    @classmethod
    def of(cls, path: str, page: int, total: int, params: Mapping[str, str | list[str] | None] | None = None,
           per_page: int = PER_PAGE) -> Pager:
        kept: list[tuple[str, str]] = []
        for name, value in (params or {}).items():
            for one in value if isinstance(value, list) else [value]:
                if one not in (None, ""):
                    kept.append((name, str(one)))
        return cls(page, total, path, tuple(kept), per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def link(self, page: int) -> str:
        query = urlencode([*self.params, *([("page", str(page))] if page > 1 else [])])
        return f"{self.path}?{query}" if query else self.path

    @property
    def previous(self) -> str | None:
        return self.link(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.page + 1) if self.page < self.pages else None
