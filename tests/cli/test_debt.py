"""`mldebt backlog` and `mldebt debt add|show|set`: exit codes, JSON and Markdown output, history by OS user."""

import getpass
import json

import pytest

from mldebt.domain.finding import Finding, Severity
from mldebt.store.database import open_store
from mldebt.store.findings import sync_findings
from tests.service.test_backlog import T0, catalog
from tests.support.cli import enter_tmp, run


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def scanned(tmp_path, capsys):
    """The inventory imported and three open findings of two root causes stored."""
    catalog(tmp_path)
    assert run(capsys, "catalog", "import")[0] == 0
    store = open_store("sqlite:///.mldebt/mldebt.db")
    findings = [Finding.create("MLD102", Severity.MEDIUM, "shop-api", f"unpinned {p}", file="requirements.txt",
                               line=n, identity=(p,), effort_minutes=30) for n, p in enumerate(("flask", "numpy"), 1)]
    findings.append(Finding.create("MLD301", Severity.LOW, "shop-api", "TODO: retry", identity=("todo",)))
    with store.session() as session:
        sync_findings(session, "scan", "repo", findings, T0)
    store.close()


def test_backlog_rebuilds_and_lists_as_json_with_the_full_breakdown(capsys, scanned):
    code, out, err = run(capsys, "backlog", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["total"], data["limit"], data["offset"]) == (2, 50, 0)
    titles = sorted(item["title"] for item in data["items"])
    assert titles == ["Acknowledged debt (TODO/FIXME/HACK) in shop-api",
                      "Unpinned or unlocked dependencies in shop-api (2 findings)"]
    assert all("breakdown" in item for item in data["items"])
    [deps] = [item for item in data["items"] if item["category"] == "dependencies"]
    assert (deps["effort"], deps["evidence_count"], deps["created_by"]) == (
        {"low_hours": 0.5, "high_hours": 1.5}, 2, "mldebt")


def test_backlog_as_a_markdown_table_and_filtered(capsys, scanned):
    code, out, _ = run(capsys, "backlog", "--format", "md", "--category", "dependencies")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "| id | title | component | category | status | effort | interest | priority | risk | why |"
    assert len(lines) == 3 and "| shop-api | dependencies | open | 0.5-1.5 h | $0/week |" in lines[2]


def test_backlog_table_shows_each_item(capsys, scanned):
    code, out, _ = run(capsys, "backlog")
    assert code == 0 and "Debt backlog by priority (2 of 2)" in out and "0.5-1.5 h" in out


@pytest.mark.parametrize(("args", "message"), [
    (["backlog", "--status", "closed"], "error: status: unknown status 'closed'"),
    (["backlog", "--category", "money"], "error: --category: unknown category 'money'"),
    (["backlog", "--as-of", "yesterday"], "error: --as-of: bad date 'yesterday'"),
    (["backlog", "--component", "shop-apj"], "error: --component: unknown component 'shop-apj'; known: shop-api, "
                                             "shop-model"),
    (["debt", "set", "1", "--title", "x"], "error: --title: only items added by hand can be edited"),
    (["debt", "add", "x", "--component", "shop-api", "--category", "code", "--effort", "lots"],
     "error: --effort: bad effort 'lots', expected hours as LOW-HIGH (e.g. 4-12)"),
    (["debt", "add", "x", "--component", "shop-ap", "--category", "code", "--effort", "1-2"],
     "error: component: unknown component 'shop-ap'; did you mean shop-api?"),
    (["debt", "set", "1"], "error: nothing to change"),
    (["debt", "set", "99", "--status", "planned"], "error: no debt item 99"),
    (["debt", "set", "1", "--status", "accepted", "--reason", "later"],
     "error: --until: accepting debt needs an expiry date (YYYY-MM-DD)"),
    (["debt", "show", "99"], "error: no debt item 99"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, scanned, args, message):
    assert run(capsys, "backlog", "--format", "json")[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith(message) and len(err.splitlines()) == 1


def test_debt_add_set_show_record_who_changed_what(capsys, scanned):
    code, out, _ = run(capsys, "debt", "add", "Replace the feature store", "--component", "shop-model",
                       "--category", "infrastructure", "--effort", "16-40", "--owner", "ml", "--format", "json")
    item = json.loads(out)
    assert (code, item["source"], item["effort"], item["owner"]) == (
        0, "manual", {"low_hours": 16.0, "high_hours": 40.0}, "ml")
    duplicate = run(capsys, "debt", "add", "replace the feature STORE", "--component", "shop-model", "--category",
                    "code", "--effort", "1")
    assert duplicate[0] == 2 and "already records" in duplicate[2]
    code, out, _ = run(capsys, "debt", "set", str(item["id"]), "--status", "accepted", "--reason",
                       "after the migration", "--until", "2099-01-01", "--as-of", "2098-06-01", "--format", "json")
    assert code == 0 and json.loads(out)["accepted"] == {"reason": "after the migration", "until": "2099-01-01"}
    code, out, _ = run(capsys, "debt", "show", str(item["id"]), "--format", "json")
    history = json.loads(out)["history"]
    who = f"cli:{getpass.getuser()}"
    assert [(h["action"], h["actor"]) for h in history] == [("created", who), ("accepted", who)]
    code, out, _ = run(capsys, "debt", "show", str(item["id"]))
    assert code == 0 and "History" in out and "accepted_reason None -> 'after the migration'" in out


def test_no_rebuild_lists_what_is_stored(capsys, scanned):
    code, out, _ = run(capsys, "backlog", "--no-rebuild", "--format", "json")
    assert (code, json.loads(out)["total"]) == (0, 0)


@pytest.mark.parametrize(("low", "high", "currency", "text"), [
    (1234.5, 3456.7, "USD", "$1.2k-3.5k/week"), (0, 0, "USD", "$0/week"), (12.3, 98.7, "EUR", "€12-99/week"),
    (25_000, 1_500_000, "CHF", "25k-1.5M CHF/week")])
def test_money_is_a_rounded_range(low, high, currency, text):
    from mldebt.cli.debt import money_range

    assert money_range(low, high, currency) == text
