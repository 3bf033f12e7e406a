"""Roles of API tokens, weakest first: each role may do what the ones before it may.

The one list of role names: the API's checks and request models, `mldebt token create --role`
and the docs' table (checked by tests/test_docs.py) derive from `Role`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"  # reads
    EDITOR = "editor"  # also writes: replay, linking
    ADMIN = "admin"  # also manages tokens

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether a token of this role may do what `needed` may."""
        return self.rank >= needed.rank


ROLE_NAMES: tuple[str, ...] = tuple(role.value for role in Role)
