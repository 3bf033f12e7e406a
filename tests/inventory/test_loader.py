import textwrap
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from mldebt.domain.component import catalog_json_schema
from mldebt.inventory.loader import load_catalog_file, load_catalog_text
from mldebt.inventory.starter import starter_catalog

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
        "inv.yaml:4:49: Input should be greater than 0 (got 0) (components[1].retrain_every_days)",
        "inv.yaml:4:52: mode 'auto' needs a command or a webhook (components[1].retrain)",
        "inv.yaml:7:40: unknown component 'nope' in sources.sentry (sources.sentry[0].component)",
        "inv.yaml:8:3: unknown value 'jira': expected 'sentry', 'alertmanager', 'zendesk', 'zigpoll', 'bigcommerce' "
        "or 'csv' (sources.jira)",
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
