"""The command line, in-process through `main()` (exact exit codes) and once as a real process."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import enter_tmp, run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "storefront" / "mldebt.yaml"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    return tmp_path


def test_three_mistakes_exit_2_with_three_located_errors(capsys, tmp_path):
    (tmp_path / "mldebt.yaml").write_text(textwrap.dedent("""\
        version: 1
        components:
          - {name: recs, kind: modle}
          - {name: orders, kind: dataset, lifecycle: live}
          - {name: api, kind: service, depends_on: [rec]}
        """))
    code, out, err = run(capsys, "catalog", "validate")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "mldebt.yaml:3:24: unknown kind 'modle' (did you mean 'model'?): expected one of 'model', 'dataset', "
        "'service', 'pipeline', "
        "'feature' (components[0].kind)",
        "mldebt.yaml:4:46: unknown value 'live': expected 'experimental', 'production', 'deprecated' or 'legacy' "
        "(components[1].lifecycle)",
        "mldebt.yaml:5:45: unknown component 'rec' in depends_on (did you mean 'recs'?) (components[2].depends_on[0])",
        "3 error(s) in mldebt.yaml",
    ]
    code, out, _ = run(capsys, "catalog", "validate", "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert report["valid"] is False
    assert [(e["line"], e["column"], e["path"]) for e in report["errors"]] == [
        (3, 24, "components[0].kind"), (4, 46, "components[1].lifecycle"), (5, 45, "components[2].depends_on[0]")]


def test_valid_file_exits_0(capsys):
    code, out, err = run(capsys, "catalog", "validate", str(EXAMPLE))
    assert (code, err) == (0, "")
    assert out.strip() == f"{EXAMPLE}: valid (14 components)"


def test_import_then_list_json(capsys):
    code, out, _ = run(capsys, "catalog", "import", str(EXAMPLE), "--as-of", "2026-11-25")
    assert code == 0 and "14 added" in out and "INV001" in out
    code, out, _ = run(capsys, "catalog", "list", "--format", "json", "--as-of", "2026-11-25")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 14
    assert {"name", "kind", "owner", "lifecycle", "stale", "days_since_retrain"} <= set(rows[0])
    recs = next(r for r in rows if r["name"] == "recs-model")
    assert (recs["stale"], recs["days_since_retrain"]) == (True, 177)
    assert Path(".mldebt/mldebt.db").is_file()


def test_import_again_reports_no_change(capsys):
    run(capsys, "catalog", "import", str(EXAMPLE), "--as-of", "2026-11-25")
    code, out, _ = run(capsys, "catalog", "import", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-25")
    result = json.loads(out)
    assert code == 0
    assert result["components"]["added"] == [] and len(result["components"]["unchanged"]) == 14
    assert result["findings"]["new"] == 0


def test_import_of_invalid_file_is_one_line_exit_2(capsys, tmp_path):
    (tmp_path / "mldebt.yaml").write_text("version: 2\ncomponents: []\n")
    code, out, err = run(capsys, "catalog", "import")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: mldebt.yaml has 1 error(s); run `mldebt catalog validate mldebt.yaml`: mldebt.yaml:1:10: "
        "unknown value 2: expected 1 (version)"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["catalog", "validate", "missing.yaml"],
         "error: no inventory file at missing.yaml (create one with `mldebt init`)"),
        (["catalog", "list", "--as-of", "yesterday"], "error: --as-of: bad date 'yesterday', expected YYYY-MM-DD"),
        (["--db", "nonsense://", "catalog", "list"], "error: not a database URL: 'nonsense://'"),
        (["catalog", "frobnicate"], "error: No such command 'frobnicate'. (see `mldebt catalog --help`)"),
        (["catalog", "list", "--format", "xml"],
         "error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json'. "
         "(see `mldebt catalog list --help`)"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


def test_unreachable_database_is_one_line(capsys):
    code, _, err = run(capsys, "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "catalog", "list")
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: cannot open the store at postgresql+psycopg://")


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(capsys):
    code, _out, _ = run(capsys, "init")
    assert code == 0 and Path("mldebt.yaml").is_file()
    assert run(capsys, "catalog", "validate")[0] == 0
    code, _, err = run(capsys, "init")
    assert code == 2 and err.strip() == "error: mldebt.yaml already exists (use --force to overwrite)"


def test_schema_is_json_schema(capsys):
    code, out, _ = run(capsys, "catalog", "schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "mldebt inventory (mldebt.yaml)"
    assert "components" in schema["properties"]


def test_db_upgrade_and_current(capsys):
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and out.startswith("sqlite:///.mldebt/mldebt.db: upgraded to ")
    # each feature is its own branch of migrations after 0001_inventory
    heads = ("0003_scan", "0005_inventory_file_index", "0008_monitoring")
    assert all(head in out for head in heads)
    code, out, _ = run(capsys, "db", "upgrade")
    assert "already at" in out
    code, out, _ = run(capsys, "db", "current")
    assert out.startswith("sqlite:///.mldebt/mldebt.db: ") and out.strip().endswith("(up to date)")
    assert all(head in out for head in heads)


def test_demo_loads_storefront_and_shows_findings(capsys):
    code, out, _ = run(capsys, "demo", "--no-serve", "--as-of", "2026-11-25")
    assert code == 0
    assert "14 components" in out
    assert "recs-model was last retrained 177 days ago" in out
    assert "depends on deprecated pipeline legacy-analytics-export" in out
    assert "Scanned the storefront's ML code" in out
    assert "MLD403" in out and "MLD407" in out and "26 findings, 0 suppressed" in out
    assert "dataset drift: 2 of 4 tested columns drifted" in out
    assert "retrain recs-model: approve -> pending" in out
    assert "order-bot-nlp: satisfaction with order-bot-nlp is 0.53 from 0.66 over the last 30 days" in out
    assert ("Order totals from the recorded BigCommerce orders: 243 tickets and order events; "
            "CI reports of the AI pipelines: 8 JUnit, 8 Cobertura") in out
    code, out, _ = run(capsys, "demo", "--no-serve", "--as-of", "2026-11-25")
    assert code == 0 and "retrain recs-model: approve -> already-pending" in out


def test_every_command_has_an_example_in_its_help(capsys):
    from typer.main import get_command

    from mldebt.cli import app

    def walk(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    commands = list(walk(get_command(app), []))
    assert len(commands) >= 8
    for path, command in commands:
        assert "Example:" in (command.help or ""), f"mldebt {' '.join(path)} has no Example in its help"


def test_console_script_runs_as_a_real_process(tmp_path):
    exe = Path(sys.executable).with_name("mldebt")
    env = {**os.environ, "MLDEBT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run([str(exe), "catalog", "validate", str(tmp_path / "none.yaml")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    expected = f"error: no inventory file at {tmp_path / 'none.yaml'} (create one with `mldebt init`)"
    assert done.stderr.strip() == expected
    assert "Traceback" not in done.stderr


def test_drift_exit_codes_and_json(capsys, tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(0)
    pacsv.write_csv(pa.table({"x": rng.normal(0, 1, 3000), "c": rng.choice(["a", "b"], 3000)}), tmp_path / "ref.csv")
    pacsv.write_csv(pa.table({"x": rng.normal(1, 1, 3000), "c": rng.choice(["a", "b"], 3000)}), tmp_path / "cur.csv")
    code, out, _ = run(capsys, "drift", "ref.csv", "cur.csv", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["dataset_drift"] is True and report["drifted_columns"] == ["x"]
    assert {"name", "type", "method", "statistic", "pvalue", "effect", "threshold", "drifted"} <= set(
        report["columns"][0])
    assert run(capsys, "drift", "ref.csv", "cur.csv", "--fail-on-drift")[0] == 1
    assert run(capsys, "drift", "ref.csv", "ref.csv", "--fail-on-drift")[0] == 0
    code, _, err = run(capsys, "drift", "ref.csv", "missing.csv")
    assert (code, err.strip()) == (2, "error: no such file: missing.csv")
    code, _, err = run(capsys, "drift", "ref.csv", "cur.csv", "--method", "x=nope")
    assert code == 2 and err.startswith("error: --method x=nope: unknown drift method 'nope': expected one of ")
    code, out, _ = run(capsys, "drift", "ref.csv", "cur.csv", "--output", "table.txt")
    assert (code, out) == (0, "") and "dataset drift: 1 of 2 tested columns drifted" in Path("table.txt").read_text()
    code, _, err = run(capsys, "drift", "ref.csv", "cur.csv", "--format", "html", "--output", "r.html")
    html = Path("r.html").read_text()
    assert code == 0 and "<svg" in html and "Dataset drift." in html and html.index(">x<") < html.index(">c<")


def test_drift_html_shows_model_quality_and_windows(capsys, tmp_path):
    import datetime as dt

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    n = 2000
    times = [dt.datetime(2026, 11, 1) + dt.timedelta(hours=int(h)) for h in np.sort(rng.integers(0, 48, n))]
    for name, flip in (("ref", 0.05), ("cur", 0.2)):
        label = rng.choice(["neg", "pos"], n)
        wrong = rng.random(n) < flip
        pq.write_table(pa.table({"ts": pa.array(times, pa.timestamp("s")), "label": label,
                                 "pred": np.where(wrong, np.where(label == "pos", "neg", "pos"), label),
                                 "x": rng.normal(size=n)}), tmp_path / f"{name}.parquet")
    code, _, _ = run(capsys, "drift", "ref.parquet", "cur.parquet", "--label", "label", "--prediction", "pred",
                     "--window", "1d", "--format", "html", "-o", "q.html")
    html = Path("q.html").read_text()
    assert code == 0 and "Model quality (classification: label vs pred)" in html
    assert "Drift per time window" in html and "2026-11-02T00:00:00" in html
