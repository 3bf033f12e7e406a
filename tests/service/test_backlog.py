"""The backlog rebuild: one item per root cause, no duplicates on rebuild, resolution, reopening,
fixed_by, acceptance, hand-made items and their history."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mldebt.domain.finding import Finding, Severity
from mldebt.errors import ConflictError, NotFoundError, UserInputError
from mldebt.service.backlog import add_debt, backlog_page, rebuild_backlog, show_item, update_debt
from mldebt.service.catalog import import_catalog
from mldebt.service.scan import run_scan
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.drift import add_request, finish_request
from mldebt.store.findings import sync_findings
from mldebt.store.models import FindingRow

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)
T3 = T0 + dt.timedelta(days=3)

CATALOG = """\
version: 1
components:
  - name: shop-api
    kind: service
    owner: web
    lifecycle: production
    paths: ["shop/**"]
    changes:
{changes}
  - name: shop-model
    kind: model
    owner: ml
    lifecycle: experimental
    retrain: {{mode: auto, command: "true"}}
"""


def catalog(tmp_path: Path, changes: str = "      []") -> Path:
    path = tmp_path / "mldebt.yaml"
    path.write_text(CATALOG.format(changes=changes))
    return path


@pytest.fixture
def components(store, tmp_path):
    import_catalog(store, catalog(tmp_path), T0.date(), now=T0)
    return store


def unpinned(component: str, package: str) -> Finding:
    return Finding.create("MLD102", Severity.MEDIUM, component, f"unpinned requirement {package}",
                          file="requirements.txt", line=1, identity=(package,), effort_minutes=10)


def drift_finding(component: str = "shop-model") -> Finding:
    return Finding.create("DRIFT001", Severity.HIGH, component, "inputs drifted", identity=("price",))


def record(store, source: str, findings: list[Finding], at: dt.datetime, scope: str = "repo") -> None:
    with store.session() as session:
        sync_findings(session, source, scope, findings, at)


def items(store) -> list[DebtItemRow]:
    with store.session() as session:
        return list(session.scalars(select(DebtItemRow).order_by(DebtItemRow.id)))


def test_fifty_unpinned_requirements_of_one_service_are_one_item_with_fifty_evidence(components):
    record(components, "scan", [unpinned("shop-api", f"pkg{i:02d}") for i in range(50)], T0)
    result = rebuild_backlog(components, T1)
    assert (len(result.created), result.findings, result.scored) == (1, 50, 1)
    [item] = items(components)
    assert (item.title, item.category, item.source, item.status, item.evidence_count, len(item.evidence)) == (
        "Unpinned or unlocked dependencies in shop-api (50 findings)", "dependencies", "scan", "open", 50, 50)
    # 50 x 10 min = 500 min = 8.33 h: half (4.17 -> 4.5 h) to one and a half times (12.5 h)
    assert (item.effort_low_hours, item.effort_high_hours) == (4.5, 12.5)
    assert item.rule_ids == ["MLD102"] and item.scored_at == T1


def test_repeated_rebuilds_never_multiply_items(components):
    record(components, "scan", [unpinned("shop-api", "a"), unpinned("shop-api", "b")], T0)
    record(components, "drift", [drift_finding()], T0, scope="data")
    first = rebuild_backlog(components, T1)
    second = rebuild_backlog(components, T2)
    record(components, "scan", [unpinned("shop-api", "a"), unpinned("shop-api", "b")], T2)  # a rescan
    third = rebuild_backlog(components, T3)
    assert len(first.created) == 2
    assert (second.created, second.updated, third.created, third.updated) == ([], [], [], [])
    assert len(items(components)) == 2
    with components.session() as session:
        assert session.scalar(select(func.count()).select_from(DebtItemRow)) == 2


def test_more_evidence_updates_the_item_and_records_the_change(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T1)
    record(components, "scan", [unpinned("shop-api", "a"), unpinned("shop-api", "b")], T1)
    result = rebuild_backlog(components, T2, actor="nightly")
    [item] = items(components)
    assert result.updated == [item.id] and item.evidence_count == 2
    history = show_item(components, item.id)["history"]
    assert [(h["action"], h["actor"]) for h in history] == [("created", "mldebt"), ("updated", "nightly")]
    assert history[1]["changes"]["evidence_count"] == [1, 2]
    assert history[1]["changes"]["title"] == ["Unpinned or unlocked dependencies in shop-api",
                                              "Unpinned or unlocked dependencies in shop-api (2 findings)"]


SCANNED_TREE = {
    "shop/requirements.txt": "flask\nrequests>=2\n",
    "shop/app.py": "import flask\n\napp = flask.Flask(__name__)\n",
}


def test_an_item_resolves_itself_after_a_clean_scan_and_reopens_when_the_debt_returns(store, tmp_path):
    tree = tmp_path / "tree"
    for name, text in SCANNED_TREE.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    config = catalog(tree)
    import_catalog(store, config, T0.date(), now=T0)
    run_scan(store, [tree], config, now=T0, hotspots=False)
    rebuild_backlog(store, T0)
    [item] = [i for i in items(store) if i.category == "dependencies"]
    assert (item.status, item.evidence_count, item.rule_ids) == ("open", 3, ["MLD102", "MLD103"])

    (tree / "shop/requirements.txt").write_text("flask==3.0.3\nrequests==2.32.3\n")
    (tree / "shop/uv.lock").write_text("version = 1\n")
    run_scan(store, [tree], config, now=T1, hotspots=False)
    result = rebuild_backlog(store, T1)
    shown = show_item(store, item.id)
    assert result.resolved == [item.id]
    assert (shown["status"], shown["fixed_by"], shown["resolved_at"]) == ("resolved", "manual", T1.isoformat())
    assert shown["history"][-1]["action"] == "auto-resolved"

    (tree / "shop/requirements.txt").write_text("flask\n")
    run_scan(store, [tree], config, now=T2, hotspots=False)
    again = rebuild_backlog(store, T2)
    assert again.reopened == [item.id] and again.created == []
    shown = show_item(store, item.id)
    assert (shown["status"], shown["fixed_by"], shown["resolved_at"], shown["evidence_count"]) == ("open", None,
                                                                                                   None, 1)


def test_a_successful_auto_retrain_after_the_item_opened_is_an_automated_fix(components):
    record(components, "drift", [drift_finding()], T0, scope="data")
    rebuild_backlog(components, T0)
    with components.session() as session:
        request = add_request(session, "shop-model", None, "auto", "true", "running", T1)
        finish_request(session, request.id, "succeeded", {"exit_code": 0}, T1 + dt.timedelta(minutes=5))
        request_id = request.id
    record(components, "drift", [], T2, scope="data")
    result = rebuild_backlog(components, T2)
    [item] = items(components)
    assert result.resolved == [item.id] and item.fixed_by == "automated"
    assert item.evidence[0] == {"kind": "retrain", "ref": str(request_id),
                                "summary": f"automatic retrain #{request_id} succeeded",
                                "at": (T1 + dt.timedelta(minutes=5)).isoformat()}


def test_a_failed_or_earlier_retrain_is_no_automated_fix(components):
    with components.session() as session:
        early = add_request(session, "shop-model", None, "auto", "true", "running", T0 - dt.timedelta(days=1))
        finish_request(session, early.id, "succeeded", {}, T0 - dt.timedelta(days=1))
        failed = add_request(session, "shop-model", None, "auto", "true", "running", T1)
        finish_request(session, failed.id, "failed", {}, T1)
    record(components, "drift", [drift_finding()], T0, scope="data")
    rebuild_backlog(components, T0)
    record(components, "drift", [], T2, scope="data")
    rebuild_backlog(components, T2)
    assert [i.fixed_by for i in items(components)] == ["manual"]


def test_a_bot_change_in_the_change_log_is_an_automated_fix(store, tmp_path):
    import_catalog(store, catalog(tmp_path), T0.date(), now=T0)
    record(store, "scan", [unpinned("shop-api", "flask")], T0)
    rebuild_backlog(store, T0)
    changes = ('      - {version: "1.1", date: 2026-11-02, author: "renovate[bot]", kind: dependency-upgrade,'
               ' description: Pin flask}')
    import_catalog(store, catalog(tmp_path, changes), T1.date(), now=T1)
    record(store, "scan", [], T2)
    rebuild_backlog(store, T2)
    [item] = items(store)
    assert item.fixed_by == "automated"
    assert item.evidence[0]["summary"] == "1.1 by renovate[bot]: Pin flask"


def test_accepted_items_stay_accepted_and_reopen_when_the_acceptance_expires(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T0)
    [item] = items(components)
    update_debt(components, item.id, {"status": "accepted", "accepted_reason": "service retires in January",
                                      "accepted_until": "2026-11-10"}, "cli:ana", T1)
    record(components, "scan", [], T2)  # the evidence goes: an accepted item is not resolved
    assert rebuild_backlog(components, T2).resolved == []
    record(components, "scan", [unpinned("shop-api", "a")], T3)  # and comes back: it stays accepted
    rebuild_backlog(components, T3)
    assert items(components)[0].status == "accepted"
    result = rebuild_backlog(components, dt.datetime(2026, 11, 11, tzinfo=dt.UTC))
    shown = show_item(components, item.id)
    assert result.expired == [item.id]
    assert (shown["status"], shown["accepted"]) == ("open", {"reason": None, "until": None})
    assert [(h["action"], h["actor"], h["note"]) for h in shown["history"][-2:]] == [
        ("accepted", "cli:ana", None), ("reopened", "mldebt", "acceptance expired")]
    assert shown["history"][-2]["changes"]["accepted_until"] == [None, "2026-11-10"]


def test_a_person_resolved_item_reopens_only_when_its_evidence_returns(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T0)
    [item] = items(components)
    update_debt(components, item.id, {"status": "resolved"}, "cli:ana", T1)
    assert rebuild_backlog(components, T1).reopened == []  # fixed, not rescanned yet: stays resolved
    assert items(components)[0].fixed_by == "manual"
    record(components, "scan", [], T2)
    rebuild_backlog(components, T2)  # the scan confirms it
    record(components, "scan", [unpinned("shop-api", "a")], T3)
    assert rebuild_backlog(components, T3).reopened == [item.id]
    actions = [h["action"] for h in show_item(components, item.id)["history"]]
    assert actions == ["created", "resolved", "evidence-gone", "reopened"]


def test_manual_items_are_added_with_history_and_never_resolve_themselves(components):
    added = add_debt(components, "Replace the hand-rolled feature store", "shop-model", "infrastructure", 16, 40,
                     "cli:ana", T0, owner="ml")
    assert (added["source"], added["status"], added["effort"], added["created_by"]) == (
        "manual", "open", {"low_hours": 16.0, "high_hours": 40.0}, "cli:ana")
    rebuild_backlog(components, T1)
    page, total = backlog_page(components)
    assert (total, page[0]["id"], page[0]["status"]) == (1, added["id"], "open")
    with pytest.raises(ConflictError, match="already records"):
        add_debt(components, "replace the  hand-rolled FEATURE store", "shop-model", "code", 1, 2, "cli:bo", T1)


def test_text_that_cannot_be_stored_is_refused_naming_the_field(components):
    with pytest.raises(UserInputError, match="title: not valid Unicode"):
        add_debt(components, "bad \ud800", "shop-model", "code", 1, 2, "cli:ana", T0)
    with pytest.raises(UserInputError, match="owner: at most 200 characters, not 201"):
        add_debt(components, "ok", "shop-model", "code", 1, 2, "cli:ana", T0, owner="x" * 201)


def test_adding_debt_to_an_unknown_component_names_close_matches(components):
    with pytest.raises(NotFoundError, match="unknown component 'shop-modle'; did you mean shop-model"):
        add_debt(components, "x", "shop-modle", "code", 1, 2, "cli:ana", T0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"status": "accepted", "accepted_until": "2026-12-01"}, "accepted_reason: accepting debt needs a reason"),
    ({"status": "accepted", "accepted_reason": "later", "accepted_until": "2026-10-01"},
     "accepted_until: 2026-10-01 is not in the future"),
    ({"status": "accepted", "accepted_reason": "later", "accepted_until": "2028-01-01"},
     "accepted_until: 2028-01-01 is more than a year ahead"),
    ({"status": "done"}, "status: unknown status 'done'"),
    ({"effort": "12-4"}, r"effort: effort low \(12 h\) is above high \(4 h\)"),
    ({"title": "new"}, "title: only items added by hand can be edited"),
    ({"priority": 3}, "priority: not a field that can be changed"),
])
def test_bad_changes_are_refused_naming_the_field(components, changes, message):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T0)
    [item] = items(components)
    with pytest.raises(UserInputError, match=message):
        update_debt(components, item.id, changes, "cli:ana", T1)


def test_effort_set_by_hand_survives_rebuilds(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T0)
    [item] = items(components)
    shown = update_debt(components, item.id, {"effort": "2-3", "owner": "web-team"}, "token:ci", T1)
    record(components, "scan", [unpinned("shop-api", "a"), unpinned("shop-api", "b")], T2)
    rebuild_backlog(components, T2)
    again = show_item(components, item.id)
    assert (again["effort"], again["owner"], again["evidence_count"]) == ({"low_hours": 2.0, "high_hours": 3.0},
                                                                          "web-team", 2)
    assert [(h["action"], h["actor"], h["changes"]) for h in shown["history"][1:]] == [
        ("updated", "token:ci", {"owner": [None, "web-team"]}),
        ("estimated", "token:ci", {"effort_low_hours": [0.5, 2.0], "effort_high_hours": [0.5, 3.0]})]


def test_backlog_page_filters_and_pages(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    record(components, "drift", [drift_finding()], T0, scope="data")
    rebuild_backlog(components, T0)
    page, total = backlog_page(components, category="data")
    assert (total, [i["component"] for i in page]) == (1, ["shop-model"])
    page, total = backlog_page(components, limit=1, offset=1)
    assert (total, len(page)) == (2, 1)
    assert backlog_page(components, statuses=["resolved"]) == ([], 0)
    with pytest.raises(UserInputError, match="status: unknown status 'closed'"):
        backlog_page(components, statuses=["closed"])


def test_rebuild_reads_only_open_findings(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    record(components, "scan", [], T1)
    with components.session() as session:
        assert session.scalar(select(func.count()).select_from(FindingRow)) == 1
    assert rebuild_backlog(components, T1).created == []



def test_reopening_by_hand_clears_the_resolution_and_records_the_actor(components):
    record(components, "scan", [unpinned("shop-api", "a")], T0)
    rebuild_backlog(components, T0)
    [item] = items(components)
    resolved = update_debt(components, item.id, {"status": "resolved"}, "token:ops", T1)
    assert (resolved["fixed_by"], resolved["resolved_at"]) == ("manual", T1.isoformat())
    reopened = update_debt(components, item.id, {"status": "in-progress"}, "cli:bo", T2)
    assert (reopened["status"], reopened["fixed_by"], reopened["resolved_at"]) == ("in-progress", None, None)
    assert [(h["action"], h["actor"], h["changes"].get("status")) for h in reopened["history"][1:]] == [
        ("resolved", "token:ops", ["open", "resolved"]), ("reopened", "cli:bo", ["resolved", "in-progress"])]


@pytest.mark.parametrize(("author", "bot"), [("renovate[bot]", True), ("dependabot", True), ("Renovate", True),
                                             ("github-actions[bot]", True), ("ana", False), (None, False),
                                             ("bot-fan", False)])
def test_bots_are_named_by_githubs_suffix_or_as_dependabot_and_renovate(author, bot):
    from mldebt.service.debt_fixes import is_bot

    assert is_bot(author) is bot


def test_an_auto_retrain_does_not_close_a_dependency_item(components):
    record(components, "scan", [unpinned("shop-model", "torch")], T0)
    rebuild_backlog(components, T0)
    with components.session() as session:
        request = add_request(session, "shop-model", None, "auto", "true", "running", T1)
        finish_request(session, request.id, "succeeded", {"exit_code": 0}, T1)
    record(components, "scan", [], T2)
    rebuild_backlog(components, T2)
    assert [(i.category, i.fixed_by) for i in items(components)] == [("dependencies", "manual")]


def test_the_bot_authors_setting_names_more_bots(components, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDEBT_BOT_AUTHORS", "release-robot, renovate")
    changes = '      - {version: "1.1", date: 2026-11-02, author: Release-Robot, kind: patch, description: Pin}'
    record(components, "scan", [unpinned("shop-api", "flask")], T0)
    rebuild_backlog(components, T0)
    import_catalog(components, catalog(tmp_path, changes), T1.date(), now=T1)
    record(components, "scan", [], T2)
    rebuild_backlog(components, T2)
    assert [i.fixed_by for i in items(components)] == ["automated"]
