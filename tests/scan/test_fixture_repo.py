"""Every rule fires exactly where expected on the storefront fixture repository, and nowhere else."""

from __future__ import annotations

import datetime as dt

from mldebt.service.scan import run_scan
from tests.scan.conftest import line_of

AS_OF = dt.date(2026, 11, 25)


def expected(root):
    def at(rule, rel, needle):
        return (rule, rel, line_of(root, rel, needle))

    app, train, serving = "services/recs/app.py", "training/recs/train.py", "training/recs/serving.py"
    fraud, nb = "training/fraud/train_fraud.py", "services/recs/explore.ipynb"
    recs_req, fraud_req = "services/recs/requirements.txt", "services/fraud/requirements.txt"
    return {
        # dependencies
        at("MLD101", fraud_req, "numpy"), at("MLD105", fraud_req, "numpy"), at("MLD102", fraud_req, "scikit-learn"),
        at("MLD105", fraud_req, "tensorflow"), at("MLD104", fraud_req, "torch"),
        at("MLD105", recs_req, "numpy"), at("MLD102", recs_req, "fastapi"), ("MLD103", recs_req, None),
        at("MLD105", "setup.py", "scipy==1.9.3"), at("MLD106", "setup.py", "python_version"),
        # notebooks
        ("MLD201", nb, None), ("MLD202", "lib/utils/scratch.ipynb", None),
        at("MLD301", nb, "TODO: compare"), at("MLD204", nb, "sk-proj-"), at("MLD203", nb, "%run"),
        at("MLD301", nb, "FIXME: slow"),
        # markers
        at("MLD301", train, "# TODO"), at("MLD302", train, "# HACK"),
        # smells
        at("MLD406", app, '"X-Auth-Token": "k3j4'), at("MLD407", app, "/v2/products"), at("MLD401", app, "0.83"),
        at("MLD406", "config/settings.yaml", "sentry_dsn"),
        at("MLD403", train, "fit_transform"), at("MLD402", train, "train_test_split(X, y)"),
        at("MLD402", train, "RandomForestClassifier(n_estimators=50)"),
        at("MLD405", serving, "torch.load(path)"), at("MLD404", serving, ".ix["),
        at("MLD404", fraud, "sklearn.externals"), at("MLD404", fraud, "df.append"), at("MLD405", fraud, "pickle.load"),
        # dead code
        at("MLD503", fraud, "USE_GRAPH_FEATURES = False"), at("MLD501", train, "def train_clean"),
        at("MLD501", "lib/utils/helpers.py", "def _unused_helper"),  # public_helper, module: unassigned library
        ("MLD502", serving, None),
        # artifacts
        ("MLD601", "models/fraud.pkl", None), ("MLD602", "models/fraud.pkl", None),
        # tests
        ("MLD701", serving, None), ("MLD701", fraud, None), ("MLD701", "training/fraud/features.py", None),
        ("MLD702", "training/fraud/features.py", None),
        # hotspots and the scanner itself
        ("MLD801", train, None), ("MLD901", "broken.py", None),
    }


def test_every_rule_fires_exactly_where_expected(storefront_repo):
    report = run_scan(None, [storefront_repo], as_of=AS_OF)
    found = [(f.rule_id, f.file, f.line) for f in report.findings]
    assert len(found) == len(set(found))
    assert set(found) == expected(storefront_repo)


def test_findings_carry_component_effort_and_marker_age(storefront_repo):
    report = run_scan(None, [storefront_repo], as_of=AS_OF)
    by_key = {(f.rule_id, f.file, f.line): f for f in report.findings}
    train = "training/recs/train.py"
    todo = by_key[("MLD301", train, line_of(storefront_repo, train, "# TODO"))]
    assert todo.component == "recs-model" and todo.source == "scan"
    age = (dt.datetime.now(dt.UTC) - dt.datetime(2024, 1, 15, 10, tzinfo=dt.UTC)).total_seconds() / 86400
    assert todo.evidence["age_days"] == int(age)
    assert todo.effort_minutes == round(15 * (1 + age / 365))
    assert todo.evidence["changes"] == 3 and todo.evidence["hotspot_rank"] == 1
    conflict = next(f for f in report.findings if f.rule_id == "MLD101")
    assert conflict.evidence["constraints"] == ["services/fraud/requirements.txt: ==1.24.0",
                                                "services/recs/requirements.txt: ==1.26.4"]
    assert by_key[("MLD702", "training/fraud/features.py", None)].component == "fraud-model"
    assert by_key[("MLD602", "models/fraud.pkl", None)].component == "unassigned"


def test_suppression_is_counted_not_reported(storefront_repo):
    result = run_scan(None, [storefront_repo], as_of=AS_OF).results[0]
    assert dict(result.suppressed) == {"MLD402": 1}
    suppressed_line = line_of(storefront_repo, "training/recs/train.py", "np.random.rand")
    assert not [f for f in result.findings if f.line == suppressed_line and f.file == "training/recs/train.py"]


def test_debt_totals_and_ml_test_score(storefront_repo):
    result = run_scan(None, [storefront_repo], as_of=AS_OF).results[0]
    debt = {d.component: d for d in result.debt}
    assert sum(d.minutes for d in result.debt) == result.debt_minutes == sum(f.effort_minutes for f in result.findings)
    recs = debt["recs-service"]
    assert recs.minutes == sum(f.effort_minutes for f in result.findings if f.component == "recs-service")
    assert recs.lines == len((storefront_repo / "services/recs/app.py").read_text().splitlines())
    assert recs.ratio == round(recs.minutes / (30 * recs.lines), 4)
    scores = {s.component: s for s in result.test_scores}
    recs_model = scores["recs-model"]
    assert {s: recs_model.section(s) for s in ("data", "model", "infrastructure", "monitoring")} == {
        "data": 2.5, "model": 2.0, "infrastructure": 1.5, "monitoring": 2.5}
    assert recs_model.final == 1.5
    assert recs_model.points["M3"] == 1.0 and recs_model.points["D2"] == 0.5
    assert "I1" in recs_model.missing  # unseeded training in its code
    assert scores["fraud-model"].final == 0
    assert scores["fraud-model"].points == {"I1": 1.0}
    assert recs_model.governance == "not reviewed: fairness missing, explainability missing, privacy missing"


def test_fingerprints_survive_line_moves(storefront_repo):
    before = {f.fingerprint: f for f in run_scan(None, [storefront_repo], as_of=AS_OF).findings}
    path = storefront_repo / "training/recs/train.py"
    path.write_text('"""Training."""\n\n\n' + path.read_text())
    after = {f.fingerprint: f for f in run_scan(None, [storefront_repo], as_of=AS_OF).findings}
    assert set(after) == set(before)
    moved = [fp for fp, f in after.items() if f.file == "training/recs/train.py" and f.line]
    assert moved and all(after[fp].line == before[fp].line + 3 for fp in moved)


def test_one_history_pass_dates_markers_like_git_blame(storefront_repo):
    from mldebt.scan.markers import blame_dates, dates_from_history

    path = storefront_repo / "training/recs/train.py"
    path.write_text(path.read_text() + "# TODO: a new marker, committed later\n")
    from tests.scan.conftest import git

    git(storefront_repo, "commit", "-q", "-am", "marker", date="2026-05-01T12:00:00+00:00")
    rel = "training/recs/train.py"
    numbers = [line_of(storefront_repo, rel, "# TODO: read"), line_of(storefront_repo, rel, "# HACK"),
               line_of(storefront_repo, rel, "# TODO: a new marker")]
    text = path.read_text().splitlines()
    wanted = {rel: {text[n - 1]: [n] for n in numbers}}
    blamed = blame_dates(storefront_repo, rel, numbers)
    assert {(rel, n): when for n, when in blamed.items()} == dates_from_history(storefront_repo, wanted)
    assert sorted(d.date().isoformat() for d in blamed.values()) == ["2024-01-15", "2024-01-15", "2026-05-01"]
