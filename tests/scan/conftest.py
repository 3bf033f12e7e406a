"""Fixture repositories for the scanner, built in tmp_path with a real git history.

`storefront_repo` holds several services with conflicting pins, notebooks inside a production
component and beside modules, markers committed long ago, leakage, unseeded training, a committed
`.pkl`, a deprecated BigCommerce v2 endpoint and credentials, next to clean code that must not fire.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import nbformat
import pytest

INVENTORY = """\
version: 1
components:
  - name: recs-service
    kind: service
    lifecycle: production
    owner: personalization
    paths: ["services/recs/**"]
  - name: fraud-service
    kind: service
    lifecycle: production
    owner: risk
    paths: ["services/fraud/**"]
  - name: clicks
    kind: dataset
    lifecycle: production
    schema:
      - {name: user_id, type: categorical}
      - {name: clicked, type: boolean}
    reference: data/ref.parquet
    current: data/cur.parquet
  - name: recs-model
    kind: model
    lifecycle: production
    owner: personalization
    version: "1.2.0"
    model_card: cards/recs.md
    training_data: clicks
    retrain_every_days: 30
    metrics:
      auc: {value: 0.81, min: 0.75}
    paths: ["training/recs/**"]
  - name: fraud-model
    kind: model
    lifecycle: production
    owner: risk
    paths: ["training/fraud/**"]
scan:
  artifacts: {max_mb: 0.001}
  ml_test_score:
    recs-model: {M3: automated, D2: manual}
"""

FILES = {
    "services/recs/requirements.txt": """\
        numpy==1.26.4
        fastapi
        -r ../shared/base.txt
        """,
    "services/shared/base.txt": """\
        requests>=2.31,<3
        """,
    "services/fraud/requirements.txt": """\
        numpy==1.24.0
        scikit-learn>=1.3
        tensorflow==1.15.5
        torch==2.1.0rc1
        """,
    "services/fraud/poetry.lock": "# lock\n",
    "services/recs/app.py": """\
        import os

        import requests

        STORE = "https://api.bigcommerce.com/stores/abc123"
        HEADERS = {"X-Auth-Token": "k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8"}
        SAFE_HEADERS = {"X-Auth-Token": os.environ.get("BC_TOKEN", "")}
        THRESHOLD = 0.5


        def products():
            return requests.get(STORE + "/v2/products", headers=SAFE_HEADERS, timeout=10).json()


        def categories():
            return requests.get(STORE + "/v3/catalog/categories", headers=SAFE_HEADERS, timeout=10).json()


        def recommend(scores, user):
            if scores[user] > 0.83:
                return "upsell"
            return "default" if scores[user] > THRESHOLD else None
        """,
    "training/recs/train.py": """\
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler


        def load():
            return np.zeros((10, 3)), np.zeros(10)


        def train():
            X, y = load()
            # TODO: read features from the feature store
            X = StandardScaler().fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
            model = RandomForestClassifier(n_estimators=50)
            model.fit(X_train, y_train)
            noise = np.random.rand(3)  # mldebt: ignore[MLD402]
            return model, noise


        def train_clean():
            X, y = load()
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            scaler = StandardScaler().fit(X_train)
            model = RandomForestClassifier(random_state=0).fit(scaler.transform(X_train), y_train)
            rng = np.random.default_rng(42)
            return model, rng.normal(size=3)


        # HACK: cache the batch in memory, latency was too high
        CACHE = {}
        """,
    "training/recs/serving.py": """\
        import torch


        def load_model(path):
            weights = torch.load(path, weights_only=True)
            return weights


        def load_legacy(path):
            return torch.load(path)


        def rows(df):
            out = []
            out.append(1)
            return df.ix[0], out
        """,
    "training/fraud/train_fraud.py": """\
        import pickle

        import pandas as pd
        from sklearn.externals import joblib


        def fit(path):
            df = pd.read_csv(path)
            df = df.append({"amount": 0}, ignore_index=True)
            with open(path + ".pkl", "rb") as handle:
                model = pickle.load(handle)
            return model, joblib


        USE_GRAPH_FEATURES = False


        def features(df):
            if USE_GRAPH_FEATURES:
                return df
            return df.fillna(0)
        """,
    "training/fraud/features.py": """\
        def amount_bucket(amount):
            return min(int(amount // 100), 9)
        """,
    "training/fraud/labels.py": """\
        def is_fraud(row):
            return row["chargeback"] == 1
        """,
    "training/__init__.py": "",
    "training/recs/__init__.py": "",
    "tests/test_train.py": """\
        from training.recs import train


        def test_train_runs():
            assert train.train() is not None
            score = 0.9
            assert score > 0.5
        """,
    "lib/utils/__init__.py": "",
    "lib/utils/helpers.py": """\
        def _unused_helper():
            return 1


        def public_helper():
            return 2
        """,
    "config/settings.yaml": """\
        sentry_dsn: https://9f3c1e7a5b2d4c8e9a0b1c2d3e4f5a6b:7d2e9c4b1a8f3e6d5c0b9a8e7f6d5c4b@o1.ingest.sentry.io/42
        api_key: os.environ/API_KEY
        password: example-password-1
        """,
    "cards/recs.md": "# recs model card\n",
    "broken.py": "def broken(:\n    pass\n",
    "setup.py": """\
        from setuptools import setup

        REQUIRES = ["pandas>=2.0", "scipy==1.9.3"]

        setup(name="storefront-ml", install_requires=REQUIRES,
              extras_require={"py2": ["six; python_version < '3'"]})
        """,
}


def notebook(cells: list[tuple[str, str, list[dict] | None]]) -> str:
    nb = nbformat.v4.new_notebook()
    for kind, source, outputs in cells:
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cell = nbformat.v4.new_code_cell(source)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=o["text"]) for o in outputs or []]
            nb.cells.append(cell)
    return nbformat.writes(nb)


NOTEBOOKS = {
    "services/recs/explore.ipynb": [
        ("markdown", "# Exploring recs\nTODO: compare with last quarter", None),
        ("code", "import requests\nprint('token')",
         [{"text": "Authorization: sk-proj-Q7vX2mK9pL4rT8wZ1nB6cY3hJ5dF0gS2aE\n"}]),
        ("code", "%run ../../lib/utils/scratch.ipynb\n# FIXME: slow\nx = 1", None),
    ],
    "lib/utils/scratch.ipynb": [("code", "y = 2", None)],
}


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-C", str(root), *args], check=True, capture_output=True,
                   env=env)


def write_tree(root: Path) -> None:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for rel, cells in NOTEBOOKS.items():
        (root / rel).write_text(notebook(cells))
    (root / "mldebt.yaml").write_text(INVENTORY)
    (root / "models").mkdir()
    (root / "models" / "fraud.pkl").write_bytes(b"\x80\x04" + b"\x00" * 2000)


@pytest.fixture
def storefront_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    write_tree(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial", date="2024-01-15T10:00:00+00:00")
    for i in range(3):
        path = root / "training/recs/train.py"
        path.write_text(path.read_text() + f"VERSION_{i} = {i}\n")
        git(root, "commit", "-q", "-am", f"tweak {i}", date=f"2026-0{i + 1}-10T10:00:00+00:00")
    return root


def line_of(root: Path, rel: str, needle: str) -> int:
    for number, text in enumerate((root / rel).read_text().splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")
