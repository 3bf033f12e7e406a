import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from mldebt.demo.scenario import load_demo
from mldebt.errors import CatalogInvalidError, NotFoundError
from mldebt.inventory.starter import starter_catalog
from mldebt.service.catalog import import_catalog, validate_catalog
from mldebt.service.catalog_status import list_catalog
from mldebt.store.components import component_changes, component_events
from mldebt.store.models import FindingRow
from tests.support.cli import enter_tmp, run

AS_OF = dt.date(2026, 11, 25)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "storefront"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def dump(store) -> dict:
    """Every row of every table: what 'changes nothing' is checked against."""
    meta = MetaData()
    meta.reflect(store.engine)
    with store.engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in meta.sorted_tables}


@pytest.fixture
def storefront(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "storefront")
    return tmp_path / "storefront" / "mldebt.yaml"


def test_import_twice_changes_nothing(store, storefront):
    first = import_catalog(store, storefront, AS_OF)
    assert len(first.components.added) == 14
    before = dump(store)
    second = import_catalog(store, storefront, AS_OF, now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    assert not second.components.changed
    assert len(second.components.unchanged) == 14
    assert (second.findings.new, second.findings.fixed) == ([], [])
    assert dump(store) == before


def test_removed_component_is_retired_with_history_and_restored_when_back(store, storefront):
    import_catalog(store, storefront, AS_OF)
    original = storefront.read_text()
    start = original.index("  - name: promo-uplift-model")
    end = original.index("  # --- Deprecated job")
    storefront.write_text(original[:start] + original[end:])
    result = import_catalog(store, storefront, AS_OF)
    assert result.components.retired == ["promo-uplift-model"]
    names = [c.name for c in list_catalog(store, AS_OF)]
    assert "promo-uplift-model" not in names
    retired = [c for c in list_catalog(store, AS_OF, include_retired=True) if c.name == "promo-uplift-model"]
    assert retired[0].retired is True
    storefront.write_text(original)
    back = import_catalog(store, storefront, AS_OF)
    assert back.components.restored == ["promo-uplift-model"]
    with store.session() as s:
        assert [e.action for e in component_events(s, "promo-uplift-model")] == ["added", "retired", "restored"]


def test_change_log_is_kept_when_entries_leave_the_file(store, storefront):
    import_catalog(store, storefront, AS_OF)
    text = storefront.read_text().replace(
        '      - {version: "5.0.0", date: 2026-02-20, author: tomas, kind: algorithm-change,\n'
        '         description: "Two-tower model replaces item-item collaborative filtering."}\n', "")
    storefront.write_text(text)
    result = import_catalog(store, storefront, AS_OF)
    assert result.components.updated == ["recs-model"]
    with store.session() as s:
        changes = [(c.version, c.kind) for c in component_changes(s, "recs-model")]
        assert changes == [("5.0.0", "algorithm-change"), ("5.1.0", "retrain")]
        assert [e.action for e in component_events(s, "recs-model")] == ["added", "updated"]


def test_list_reports_staleness_cards_and_findings(store, storefront):
    import_catalog(store, storefront, AS_OF)
    rows = {r.name: r.to_dict() for r in list_catalog(store, AS_OF)}
    assert rows["recs-model"] == {
        "name": "recs-model", "kind": "model", "owner": "personalization", "lifecycle": "production",
        "version": "5.1.0", "last_retrained": "2026-06-01", "days_since_retrain": 177, "stale": True,
        "model_card": True, "open_findings": 1, "retired": False,
    }
    assert rows["fraud-model"]["model_card"] is False and rows["fraud-model"]["stale"] is False
    assert rows["clickstream"]["days_since_retrain"] is None and rows["clickstream"]["model_card"] is None
    assert rows["demand-forecast"]["open_findings"] == 2


def test_health_findings_fixed_when_the_inventory_is_fixed(store, storefront):
    import_catalog(store, storefront, AS_OF)
    text = storefront.read_text().replace("    trained_at: 2026-06-01\n", "    trained_at: 2026-11-20\n")
    storefront.write_text(text)
    result = import_catalog(store, storefront, AS_OF)
    assert len(result.findings.fixed) == 1
    with store.session() as s:
        row = s.scalar(select(FindingRow).where(FindingRow.status == "fixed"))
        assert (row.rule_id, row.component) == ("INV001", "recs-model")


def test_missing_model_card_file_is_a_finding(store, storefront):
    (storefront.parent / "model-cards" / "recs-model.md").unlink()
    result = import_catalog(store, storefront, AS_OF)
    assert ("INV003", "recs-model") in {(f.rule_id, f.component) for f in result.health}


def test_invalid_inventory_is_refused_and_nothing_is_written(store, tmp_path):
    bad = write(tmp_path / "mldebt.yaml", """\
        version: 1
        components:
          - {name: a, kind: service, depends_on: [ghost]}
        """)
    with pytest.raises(CatalogInvalidError) as info:
        import_catalog(store, bad, AS_OF)
    assert info.value.details == [f"{bad}:3:43: unknown component 'ghost' in depends_on (components[0].depends_on[0])"]
    assert list_catalog(store, AS_OF) == []


def test_cycles_are_imported_as_findings(store, tmp_path):
    cyclic = write(tmp_path / "mldebt.yaml", """\
        version: 1
        components:
          - {name: a, kind: service, owner: t, depends_on: [b]}
          - {name: b, kind: service, owner: t, depends_on: [a]}
        """)
    assert [p.code for p in validate_catalog(cyclic).problems] == ["dependency_cycle"]
    result = import_catalog(store, cyclic, AS_OF)
    assert [(f.rule_id, f.message) for f in result.health] == [("INV005", "dependency cycle: a -> b -> a")]


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(NotFoundError, match=r"no inventory file at .*mldebt init"):
        validate_catalog(tmp_path / "nope.yaml")


def _inventory(path: Path, *names: str) -> Path:
    body = "".join(f"  - {{name: {n}, kind: service, owner: ops}}\n" for n in names)
    return write(path, "version: 1\ncomponents:\n" + body if names else "version: 1\ncomponents: []\n")


def test_import_retires_only_what_left_the_same_file(store, tmp_path):
    (tmp_path / "a").mkdir()
    team_a = _inventory(tmp_path / "a" / "mldebt.yaml", "x", "y")
    team_b = _inventory(tmp_path / "b.yaml", "z")
    import_catalog(store, team_a, AS_OF)
    assert import_catalog(store, team_b, AS_OF).components.retired == []
    _inventory(team_a, "x")
    assert import_catalog(store, team_a, AS_OF).components.retired == ["y"]
    assert [c.name for c in list_catalog(store, AS_OF)] == ["x", "z"]
    with store.session() as s:
        (retired,) = [e for e in component_events(s, "y") if e.action == "retired"]
        assert retired.detail == {"reason": "no longer in the inventory file", "file": str(team_a.resolve())}


def test_component_named_in_a_second_file_moves_to_it(store, tmp_path):
    first = _inventory(tmp_path / "first.yaml", "x", "y")
    second = _inventory(tmp_path / "second.yaml", "y")
    import_catalog(store, first, AS_OF)
    assert import_catalog(store, second, AS_OF).components.updated == ["y"]
    _inventory(first, "x")
    assert import_catalog(store, first, AS_OF).components.retired == []  # y belongs to second.yaml now
    assert import_catalog(store, _inventory(second, "w"), AS_OF).components.retired == ["y"]
    with store.session() as s:
        assert [(e.action, e.detail.get("fields")) for e in component_events(s, "y")][:2] == [
            ("added", None), ("updated", ["catalog_file"])]


def test_starter_inventory_imported_after_the_demo_retires_nothing(store, tmp_path):
    demo = load_demo(store, AS_OF)
    demo_names = [c.name for c in demo.components]
    starter = write(tmp_path / "mldebt.yaml", starter_catalog())
    result = import_catalog(store, starter, AS_OF)
    assert (result.components.retired, sorted(result.components.added)) == ([], ["reviews-dataset", "sentiment-model"])
    assert sorted(c.name for c in list_catalog(store, AS_OF)) == sorted([*demo_names, "reviews-dataset",
                                                                         "sentiment-model"])


def test_import_output_names_the_retired_components(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    _inventory(tmp_path / "mldebt.yaml", "x", "y", "z")
    assert run(capsys, "catalog", "import")[0] == 0
    _inventory(tmp_path / "mldebt.yaml", "x")
    code, out, _ = run(capsys, "catalog", "import")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Imported mldebt.yaml: 0 added, 0 updated, 1 unchanged, 2 retired, 0 restored, 0 change-log entries added",
        "Retired (no longer in mldebt.yaml): y, z"]
    _inventory(tmp_path / "mldebt.yaml")
    code, out, _ = run(capsys, "catalog", "import", "--format", "json")
    assert (code, json.loads(out)["components"]["retired"]) == (0, ["x"])
