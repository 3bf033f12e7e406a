"""Docs that cannot drift: every command, setting and rule is documented."""

from pathlib import Path

from typer.main import get_command

from mldebt.cli import app
from mldebt.domain.health import HEALTH_RULES
from mldebt.domain.roles import ROLE_NAMES
from mldebt.domain.source_names import SOURCE_NAMES
from mldebt.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def all_docs() -> str:
    return "\n".join(p.read_text() for p in DOCS.glob("*.md"))


def command_paths(command, path=()):
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*path, name))
    else:
        yield " ".join(path)


def test_every_cli_command_is_documented():
    text = (DOCS / "cli.md").read_text()
    missing = [p for p in command_paths(get_command(app)) if f"`mldebt {p}" not in text]
    assert missing == []


def test_every_setting_is_documented():
    text = all_docs()
    assert [s.env for s in SETTINGS if s.env not in text] == []


def test_every_health_rule_is_documented():
    text = (DOCS / "inventory.md").read_text()
    assert [r.rule_id for r in HEALTH_RULES if f"| {r.rule_id} | {r.name} |" not in text] == []


def test_readme_starts_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text().splitlines()
    commands = [line.split("#")[0].strip() for line in readme[:8] if line.startswith("make ")]
    assert commands == ["make demo", "make test"]


def _first_column(doc: str, header: str) -> list[str]:
    """The backquoted first cells of the table whose header row starts with `| {header} |`."""
    lines = (DOCS / doc).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip().strip("`"))
    return rows


def test_docs_tables_list_exactly_the_sources_and_the_roles():
    assert _first_column("ingest.md", "source") == list(SOURCE_NAMES)
    assert _first_column("ingest.md", "role") == list(ROLE_NAMES)
    roles = "\\|".join(ROLE_NAMES)  # a `|` inside a table cell is escaped
    assert f"`mldebt token create --role {roles} " in (DOCS / "cli.md").read_text()


def test_every_api_route_is_documented(tmp_path):
    from mldebt.store.database import open_store
    from mldebt.web.app import create_app

    store = open_store(f"sqlite:///{tmp_path / 'docs.db'}")
    try:
        schema = create_app(store).openapi()
    finally:
        store.close()
    text = all_docs()
    routes = [f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item]
    assert len(routes) >= 13
    missing = [route for route in routes if f"`{route}" not in text]
    assert missing == [], f"undocumented API routes: {missing}"
