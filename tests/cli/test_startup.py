"""`mldebt --help` starts at once: the heavy libraries load only in the commands that use them.

Behaviour, not timing (benchmarks/cli_startup.py has the numbers): a fresh interpreter imports the
CLI, prints the help of every group, and none of the heavy libraries is in `sys.modules`; a fresh
`mldebt catalog list` loads the store's SQLAlchemy but not the inventory file's parser and models,
the ingest adapters, the ingest tables or Alembic.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from mldebt.inventory.starter import starter_catalog
from mldebt.service.catalog import import_catalog
from mldebt.store.database import open_store

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEAVY = ["alembic", "fastapi", "nbformat", "numpy", "pyarrow", "radon", "scipy", "sqlalchemy", "uvicorn", "vulture"]

PROBE = """
import contextlib, io, json, sys
from mldebt.cli.app import main
for args in (["--help"], ["catalog", "--help"], ["ingest", "--help"], ["drift", "--help"], ["scan", "--help"],
             ["incidents", "list", "--help"], ["token", "create", "--help"], ["serve", "--help"]):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(args) == 0, args
print(json.dumps(sorted(sys.modules)))
"""

LIST_PROBE = """
import contextlib, io, json, sys
from mldebt.cli.app import main
listed = io.StringIO()
with contextlib.redirect_stdout(listed):
    assert main(["catalog", "list", "--format", "json"]) == 0
print(json.dumps({"names": [row["name"] for row in json.loads(listed.getvalue())], "modules": sorted(sys.modules)}))
"""
# What listing the stored inventory does not need: the inventory file's YAML loader and pydantic
# models, every ingest adapter (the registry), the ingest tables, Alembic (a current store), numpy.
NOT_FOR_LIST = ["alembic", "mldebt.domain.component", "mldebt.ingest.registry", "mldebt.inventory.loader",
                "mldebt.store.ingest_tables", "numpy", "ruamel.yaml"]


def _probe(code: str, **env: str) -> object:
    paths = os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": paths, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_help_of_the_cli_loads_no_heavy_library():
    modules = _probe(PROBE)
    assert isinstance(modules, list)
    assert sorted({m.split(".")[0] for m in modules} & set(HEAVY)) == []
    assert "mldebt.ingest.registry" not in modules  # `--source` names come from the domain's list


def test_catalog_list_loads_the_store_but_not_the_inventory_parser(tmp_path):
    url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    inventory = tmp_path / "mldebt.yaml"
    inventory.write_text(starter_catalog(), encoding="utf-8")
    store = open_store(url)
    import_catalog(store, inventory, dt.date(2026, 11, 25))
    store.close()
    listed = _probe(LIST_PROBE, MLDEBT_DATABASE_URL=url)
    assert isinstance(listed, dict)
    assert listed["names"] == ["reviews-dataset", "sentiment-model"]
    modules = set(listed["modules"])
    assert "sqlalchemy" in modules
    assert sorted(modules & set(NOT_FOR_LIST)) == []
