import datetime as dt
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from mldebt.domain.component import catalog_json_schema
from mldebt.inventory.loader import load_catalog_file, load_catalog_text
from mldebt.inventory.starter import starter_catalog
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "storefront" / "mldebt.yaml"


def problems(text: str) -> list[str]:
    loaded = load_catalog_text(textwrap.dedent(text), "inv.yaml")
    return [str(p) for p in loaded.problems]


def test_three_mistakes_give_three_located_errors():
    text = """\
    version: 1
    components:
      - name: recs-model
        kind: modle
        owner: personalization
      - name: orders
        kind: dataset
        trained_at: 2026-13-01
      - name: recs-api
        kind: service
        depends_on: [recs-modle]
    """
    assert problems(text) == [
        "inv.yaml:4:11: unknown kind 'modle' (did you mean 'model'?): expected one of 'model', 'dataset', "
        "'service', 'pipeline', "
        "'feature' (components[0].kind)",
        "inv.yaml:8:17: unknown field (components[1].trained_at)",
        "inv.yaml:11:18: unknown component 'recs-modle' in depends_on (did you mean 'recs-model'?) "
        "(components[2].depends_on[0])",
    ]


def test_bad_date_unknown_lifecycle_and_duplicate_name():
    text = """\
    version: 1
    components:
      - name: m
        kind: model
        owner: t
        trained_at: 2026-02-30
        lifecycle: retired
      - name: m
        kind: service
    """
    assert problems(text) == [
        "inv.yaml:6:17: bad date '2026-02-30': expected YYYY-MM-DD (components[0].trained_at)",
        "inv.yaml:7:16: unknown value 'retired': expected 'experimental', 'production', 'deprecated' or "
        "'legacy' (components[0].lifecycle)",
        "inv.yaml:8:11: duplicate component name 'm' (first defined as component #1) (components[1].name)",
    ]


def test_cycle_is_named_and_production_model_without_owner_is_reported():
    text = """\
    version: 1
    components:
      - {name: a, kind: service, owner: t, depends_on: [b]}
      - {name: b, kind: pipeline, owner: t, depends_on: [c]}
      - {name: c, kind: model, lifecycle: production, depends_on: [a]}
    """
    loaded = load_catalog_text(textwrap.dedent(text), "inv.yaml")
    assert [str(p) for p in loaded.problems] == [
        "inv.yaml:3:40: dependency cycle: a -> b -> c -> a (components[0].depends_on)",
        "inv.yaml:5:5: production model 'c' has no owner (components[2])",
    ]
    assert loaded.catalog is not None and loaded.blocking == []


def test_errors_in_several_components_and_sources_are_all_reported():
    text = """\
    version: 1
    components:
      - {name: Bad Name, kind: service}
      - {name: ok, kind: model, retrain_every_days: 0, retrain: {mode: auto}}
    sources:
      sentry:
        - {match: {project: x}, component: nope}
      jira:
        - {match: {project: y}, component: ok}
    """
    assert problems(text) == [
        "inv.yaml:3:12: bad name 'Bad Name': expected a lowercase slug (letters, digits, '.', '_', '-') "
        "(components[0].name)",
        "inv.yaml:4:49: out of range 0: expected at least 1 (components[1].retrain_every_days)",
        "inv.yaml:4:52: mode 'auto' needs a command or a webhook (components[1].retrain)",
        "inv.yaml:7:40: unknown component 'nope' in sources.sentry (sources.sentry[0].component)",
        "inv.yaml:8:3: unknown value 'jira': expected 'sentry', 'alertmanager', 'zendesk', 'zigpoll' or "
        "'bigcommerce' (sources.jira)",
    ]


def test_misspelt_kind_does_not_hide_the_components_other_mistakes():
    text = """\
    version: 1
    components:
      - name: m
        kind: modle
        trained_at: 2026-01-45
        depends_on: [dataset-a]
      - {name: dataset-b, kind: dataset}
    """
    assert problems(text) == [
        "inv.yaml:4:11: unknown kind 'modle' (did you mean 'model'?): expected one of 'model', 'dataset', 'service', "
        "'pipeline', 'feature' (components[0].kind)",
        "inv.yaml:5:17: bad date '2026-01-45': expected YYYY-MM-DD (components[0].trained_at)",
        "inv.yaml:6:18: unknown component 'dataset-a' in depends_on (did you mean 'dataset-b'?) "
        "(components[0].depends_on[0])",
    ]


def test_reference_to_an_invalid_component_is_not_reported_twice():
    text = """\
    version: 1
    components:
      - {name: m, kind: model, trained_at: yesterday}
      - {name: api, kind: service, depends_on: [m]}
    """
    assert problems(text) == ["inv.yaml:3:40: bad date 'yesterday': expected YYYY-MM-DD (components[0].trained_at)"]


def test_missing_fields_and_wrong_top_level():
    assert problems("components: []\n") == ["inv.yaml:1:1: missing required field 'version' (version)"]
    assert problems("- a\n- b\n") == [
        "inv.yaml:1:1: expected a mapping with `version: 1` and `components:` at the top"]
    assert problems("version: 1\ncomponents:\n  - name: x\n") == [
        "inv.yaml:3:5: missing required field 'kind' (model, dataset, service, pipeline or feature) (components[0])"]


def test_yaml_syntax_error_is_located():
    assert problems("version: 1\ncomponents:\n  - name: [unclosed\n") == [
        "inv.yaml:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>' while parsing a flow sequence"]
    assert problems("version: 1\nversion: 1\n")[0].startswith("inv.yaml:2:1: YAML syntax error: found duplicate key")


def test_unreadable_file_is_one_problem(tmp_path):
    target = tmp_path / "bin.yaml"
    target.write_bytes(b"\xff\xfe\x00bad")
    (problem,) = load_catalog_file(target).problems
    assert problem.code == "unreadable" and problem.line == 1


@pytest.mark.parametrize("text", [EXAMPLE.read_text(), starter_catalog()], ids=["storefront", "starter"])
def test_shipped_inventories_are_valid(text):
    loaded = load_catalog_text(text)
    assert loaded.problems == []
    assert loaded.catalog is not None and len(loaded.catalog.components) >= 2


def test_json_schema_accepts_the_example_and_rejects_a_bad_kind():
    schema = catalog_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    document = YAML(typ="safe").load(EXAMPLE.read_text())
    # JSON Schema sees dates as strings, as an editor validating the YAML text does.
    document = _dates_to_strings(document)
    jsonschema.validate(document, schema)
    document["components"][0]["kind"] = "modle"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def _dates_to_strings(node):
    if isinstance(node, dict):
        return {k: _dates_to_strings(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_dates_to_strings(v) for v in node]
    return node.isoformat() if hasattr(node, "isoformat") else node


def _laughs(levels: int) -> str:
    """A "billion laughs" document: each level is ten aliases of the one before."""
    lines = ["version: 1", "components: []", 'scan: {l0: &l0 ["lol", "lol", "lol", "lol", "lol"]}']
    for i in range(1, levels + 1):
        lines.append(f"drift{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_once_at_the_first_alias():
    started = time.monotonic()
    assert problems(_laughs(9)) == [
        'inv.yaml:4:14: YAML aliases expand to more than 10,000 extra nodes (6,790,123,440): refused '
        '(nested aliases, a "billion laughs" document?)']
    assert time.monotonic() - started < 2


def test_recursive_alias_and_deep_nesting_are_one_problem_each():
    assert problems("version: 1\nscan: &a {me: *a}\n") == [
        "inv.yaml:2:15: YAML alias refers to itself (a recursive structure)"]
    assert problems("version: 1\nscan: " + "[" * 150 + "]" * 150 + "\n") == [
        "inv.yaml:2:106: YAML nested deeper than 100 levels"]


def test_a_few_shared_defaults_through_aliases_still_load():
    text = ("version: 1\ncomponents:\n  - &base {name: a, kind: service, owner: ops}\n"
            "  - {<<: *base, name: b}\n")
    loaded = load_catalog_text(text)
    assert loaded.problems == []
    assert [(c.name, c.owner) for c in loaded.catalog.components] == [("a", "ops"), ("b", "ops")]


def test_billion_laughs_through_the_cli_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "mldebt.yaml").write_text(_laughs(9))
    code, out, err = run(capsys, "catalog", "import")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: mldebt.yaml has 1 error(s); run `mldebt catalog validate mldebt.yaml`: mldebt.yaml:4:14: "
        "YAML aliases expand to more than 10,000 extra nodes (6,790,123,440): refused "
        '(nested aliases, a "billion laughs" document?)']


def test_numbers_dates_and_metrics_out_of_range_are_located_errors():
    text = """\
    version: 1
    components:
      - name: m
        kind: model
        retrain_every_days: 99999999999999999999999
        trained_at: 9999-12-31
        metrics:
          auc: {value: .nan, min: -.inf, max: 1}
        changes:
          - {version: "1", date: 1900-01-01, kind: retrain, description: x}
          - {version: "2", date: 2026-11-27, kind: retrain, description: tomorrow somewhere east of UTC}
    """
    loaded = load_catalog_text(textwrap.dedent(text), "inv.yaml", today=dt.date(2026, 11, 26))
    assert [str(p) for p in loaded.problems] == [
        "inv.yaml:5:25: out of range 99999999999999999999999: expected at most 3650 (components[0].retrain_every_days)",
        "inv.yaml:6:17: date 9999-12-31 is in the future (today is 2026-11-26) (components[0].trained_at)",
        "inv.yaml:8:20: expected a finite number, got nan (components[0].metrics.auc.value)",
        "inv.yaml:8:31: expected a finite number, got -inf (components[0].metrics.auc.min)",
        "inv.yaml:10:30: date 1900-01-01 is before 1970-01-01 (components[0].changes[0].date)",
    ]


def test_a_governance_review_dated_in_the_future_is_an_error_at_its_date(tmp_path):
    text = """\
    version: 1
    components:
      - name: m
        kind: model
        governance:
          fairness: {date: 2026-11-27, reviewer: ana}
          privacy:
            reviewer: dpo
            date: 2026-11-28
    """
    path = tmp_path / "inv.yaml"
    path.write_text(textwrap.dedent(text))
    loaded = load_catalog_file(path, today=dt.date(2026, 11, 26))
    assert [str(p) for p in loaded.problems] == [
        f"{path}:9:15: date 2026-11-28 is in the future (today is 2026-11-26) (components[0].governance.privacy.date)"]
    assert loaded.catalog is None


def test_out_of_range_retrain_interval_is_refused_by_import_not_an_overflow(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "mldebt.yaml").write_text(
        "version: 1\ncomponents:\n  - {name: m, kind: model, trained_at: 2026-01-01, "
        "retrain_every_days: 99999999999999999999999}\n")
    assert run(capsys, "catalog", "import") == (2, "", (
        "error: mldebt.yaml has 1 error(s); run `mldebt catalog validate mldebt.yaml`: mldebt.yaml:3:72: "
        "out of range 99999999999999999999999: expected at most 3650 (components[0].retrain_every_days)\n"))
