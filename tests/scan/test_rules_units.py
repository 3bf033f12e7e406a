"""Single rules on small snippets: what fires, and the look-alikes that must not."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from mldebt.scan import apis, credentials, notebooks, smells
from mldebt.scan.analysis import analyze
from mldebt.scan.components import ComponentIndex, glob_regex
from mldebt.scan.source import ImportMap, SourceFile


def hits(tmp_path: Path, code: str, rel: str = "pkg/train.py") -> list[tuple[str, int | None]]:
    src = SourceFile(tmp_path, rel, textwrap.dedent(code))
    imports = ImportMap(src)
    found = smells.check(src, imports) + apis.check(src, imports) + notebooks.check_python(src, imports)
    return sorted((h.rule_id, h.line) for h in found)


def test_thresholds_fire_on_scores_not_on_other_comparisons(tmp_path):
    assert hits(tmp_path, """\
        if model.predict_proba(x)[:, 1] >= 0.65: pass
        if 0.3 < fraud_risk: pass
        if ratio > 0.5: pass
        if score > 1.5: pass
        if score > THRESHOLD: pass
        assert score > 0.9
        if score == 0.5: pass
        if score_delta < 1e-9: pass
        if calibrated_proba > 0.999: pass
        """) == [("MLD401", 1), ("MLD401", 2)]


def test_randomness_resolved_through_imports(tmp_path):
    assert hits(tmp_path, """\
        import numpy as np
        from sklearn import model_selection as ms
        from sklearn.model_selection import KFold
        from xgboost import XGBClassifier
        from mylib import RandomForestClassifier
        ms.train_test_split(a, b)
        KFold(5, shuffle=True)
        KFold(5)
        KFold(5, shuffle=True, random_state=1)
        XGBClassifier(**params)
        XGBClassifier(n_estimators=3)
        RandomForestClassifier()
        np.random.default_rng()
        np.random.default_rng(7)
        """) == [("MLD402", 6), ("MLD402", 7), ("MLD402", 11), ("MLD402", 13)]


def test_global_numpy_randomness_is_fine_once_seeded(tmp_path):
    assert hits(tmp_path, "import numpy as np\nnp.random.seed(0)\nnp.random.rand(3)\n") == []
    assert hits(tmp_path, "import numpy as np\nnp.random.rand(3)\n") == [("MLD402", 2)]
    assert hits(tmp_path, "import numpy as np\nnp.random.rand(3)\n", rel="tests/test_x.py") == []


def test_leakage_only_when_the_fitted_data_is_split_later(tmp_path):
    assert hits(tmp_path, """\
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler, OneHotEncoder
        enc = OneHotEncoder()
        def leaky(X, y):
            X_scaled = MinMaxScaler().fit_transform(X)
            return train_test_split(X_scaled, y, random_state=0)
        def leaky_encoder(X, y):
            enc.fit(X)
            return train_test_split(X, y, random_state=0)
        def fine(X, y, other):
            a, b = train_test_split(X, y, random_state=0)
            MinMaxScaler().fit(a)
            MinMaxScaler().fit(other)
            return train_test_split(X, y, random_state=0)
        """) == [("MLD403", 5), ("MLD403", 8)]


def test_deprecated_apis_reported_once_per_use(tmp_path):
    assert hits(tmp_path, """\
        import tensorflow as tf
        from sklearn.cross_validation import KFold
        from torch.autograd import Variable
        import torch
        sess = tf.compat.v1.Session()
        x = tf.contrib.layers.flatten(y)
        m.predict_classes(x)
        variable.get_value()
        frame.append(row)
        items.append(row)
        torch.nn.functional.sigmoid(t)
        df.ix[0]
        """) == [("MLD404", 2), ("MLD404", 3), ("MLD404", 5), ("MLD404", 6), ("MLD404", 7), ("MLD404", 9),
                 ("MLD404", 11), ("MLD404", 12)]


def test_unsafe_loading(tmp_path):
    assert hits(tmp_path, """\
        import joblib, numpy as np, torch, pandas as pd
        torch.load(p, weights_only=False)
        torch.load(p, weights_only=True)
        np.load(p, allow_pickle=True)
        np.load(p)
        pd.read_pickle(p)
        joblib.load(p)
        """) == [("MLD405", 2), ("MLD405", 4), ("MLD405", 6)]
    assert hits(tmp_path, """\
        import joblib
        from huggingface_hub import hf_hub_download
        joblib.load(hf_hub_download("org/model", "model.joblib"))
        """) == [("MLD405", 3)]


def test_bigcommerce_v2_needs_bigcommerce_context(tmp_path):
    assert hits(tmp_path, 'URL = "https://api.bigcommerce.com/stores/x/v2/customers"\nO = "/v2/orders"\n') == [
        ("MLD407", 1)]
    assert hits(tmp_path, 'URL = "https://example.org/v2/products"\n') == []


def test_code_that_imports_or_runs_notebooks(tmp_path):
    assert hits(tmp_path, """\
        import import_ipynb
        from ipynb.fs.full.prep import clean
        get_ipython().run_line_magic("run", "prep.ipynb")
        subprocess.run(["jupyter", "nbconvert", "x.ipynb"])
        """) == [("MLD203", 1), ("MLD203", 2), ("MLD203", 3)]


@pytest.mark.parametrize(("line", "kind"), [
    ('token = "ab12cd34ef56gh78"', "hard-coded secret"),
    ("AWS_KEY = 'AKIA2E0A8F3B244C9986'", "AWS access key"), ("AWS_KEY = 'AKIAIOSFODNN7EXAMPLE'", None),
    ('headers = {"x-auth-token": "q9w8e7r6t5y4u3i2o1p0a9s8"}', "BigCommerce X-Auth-Token"),
    ("dsn = 'https://9f3c1e7a5b2d4c8e9a0b1c2d3e4f5a6b:7d2e9c4b1a8f3e6d5c0b9a8e7f6d5c4b@sentry.io/1'",
     "Sentry DSN with secret"),
    ('scorer(outputs="Use this key: sk-1234567890abcdefghijklmnopqrstuvwxyz")', None),
    ('"next_page_token": "eyJpbmRleCI6IDExfQ=="', None), ('{"api_key": "sk-...xyz1234"}', None),
    ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
    ('password = "changeme123"', None), ('api_key = os.environ["API_KEY"]', None),
    ("dsn = 'https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/1'", None),
    ('token = "refresh_token"', None), ('secret = "${SECRET_FROM_VAULT_1}"', None),
])
def test_credentials(line, kind):
    found = list(credentials.find(line))
    assert [k for k, _ in found] == ([kind] if kind else [])


def test_huge_notebook_output_and_unreadable_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plot()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "A" * 1_200_000})]
    nb.cells.append(cell)
    (tmp_path / "big.ipynb").write_text(nbformat.writes(nb))
    result = analyze(tmp_path, "big.ipynb", 5_000_000)
    assert [(h.rule_id, h.line) for h in result.hits] == [("MLD205", 18)]
    raw = (tmp_path / "big.ipynb").read_text().splitlines()
    assert raw[17].strip() == "\"plot()\""
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert [h.rule_id for h in analyze(tmp_path, "bad.ipynb", 5_000_000).hits] == ["MLD901"]


def test_unreadable_binary_huge_and_broken_files_are_findings_not_crashes(tmp_path):
    (tmp_path / "bin.py").write_bytes(b"\x00\x01\x02" * 10)
    (tmp_path / "latin.py").write_bytes("x = 'caf\xe9'  # TODO: fix encoding\n".encode("latin-1"))
    (tmp_path / "huge.py").write_text("x = 1\n" * 200)
    (tmp_path / "deep.py").write_text("x = " + "(" * 300 + ")" * 300 + "\n")
    assert [h.message for h in analyze(tmp_path, "bin.py", 5_000_000).hits] == ["not scanned: binary file"]
    assert [h.rule_id for h in analyze(tmp_path, "latin.py", 5_000_000).hits] == ["MLD301"]
    assert [h.message for h in analyze(tmp_path, "huge.py", 1000).hits] == ["not scanned: too large (1 kB)"]
    assert [h.rule_id for h in analyze(tmp_path, "deep.py", 5_000_000).hits] == ["MLD901"]
    assert [h.rule_id for h in analyze(tmp_path, "missing.py", 5_000_000).hits] == ["MLD901"]


@pytest.mark.parametrize(("pattern", "path", "match"), [
    ("chatbot/intent/**", "chatbot/intent/train.py", True), ("chatbot/intent/**", "chatbot/intents/x.py", False),
    ("chatbot/intent", "chatbot/intent/a/b.py", True), ("**/*.ipynb", "a/b/c.ipynb", True),
    ("**/*.ipynb", "c.ipynb", True), ("src/*.py", "src/a/b.py", False), ("./.github/**", ".github/x.yml", True),
])
def test_globs(pattern, path, match):
    assert bool(glob_regex(pattern).match(path)) is match


def test_most_specific_component_wins():
    class C:
        def __init__(self, name, paths):
            self.name, self.paths = name, paths

    index = ComponentIndex([C("all", ["**"]), C("recs", ["services/recs/**"])])
    assert index.name_for("services/recs/app.py") == "recs"
    assert index.name_for("README.md") == "all"


def test_sarif_schema_fixture_is_the_official_one():
    schema = json.loads((Path(__file__).resolve().parents[1] / "fixtures/scan/sarif-schema-2.1.0.json").read_text())
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")


def test_markers_only_in_comments(tmp_path):
    from mldebt.scan import markers

    code = 'PATTERN = "# TODO: not a marker"\nx = 1  # FIXME: real\n"""\n# XXX in a docstring\n"""\n'
    src = SourceFile(tmp_path, "a.py", code)
    assert [(h.rule_id, h.line) for h in markers.check(src)] == [("MLD301", 2), ("MLD301", 4)]
