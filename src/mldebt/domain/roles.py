"""The roles an API token can have, weakest first: a caller may do what its role or a weaker one may."""

from __future__ import annotations

ROLES = ("viewer", "editor", "admin")
