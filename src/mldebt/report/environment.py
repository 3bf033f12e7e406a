"""The one Jinja2 environment every HTML page and report of mldebt renders with.

Autoescaping is on unconditionally, whatever a template's file name: Jinja2's
autoescape selection by extension (`["html"]`) matches names ending in `.html` only, so a `drift.html.j2` template
once rendered column names, category values and text tokens raw into the page (issue 9, item 1).
Report data is user data (column names, category values, file names, segment values), so nothing
may bypass escaping: no template marks a value `|safe`, and data that a page embeds in a
`<script>` block goes through `|tojson`, which escapes `<`, `>`, `&` and `'`.
`tests/report/test_environment.py` checks that no other Jinja2 environment exists in `src/`.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import ChoiceLoader, Environment, PackageLoader


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The shared environment: templates from `mldebt/report/templates`, then the dashboard's from
    `mldebt/web/templates` (found by package name, so this layer imports nothing of the web), always autoescaped."""
    loader = ChoiceLoader([PackageLoader("mldebt.report", "templates"), PackageLoader("mldebt.web", "templates")])
    return Environment(loader=loader, autoescape=True)
