"""The ML Test Score (Breck et al. 2017): 28 tests in four sections, per model component.

Evidence the scanner and the inventory can see scores automatically (a schema for the training data,
tests in the component's paths, training without unseeded randomness, metric thresholds, a
rollback in the change log, drift monitoring configured, a retraining interval). The rest comes
from answers in `mldebt.yaml`:

    scan:
      ml_test_score:
        recs-model: {D2: manual, M3: automated}

`manual` scores 0.5, `automated` 1, as in the paper. A section's score is the sum of its tests;
the final score is the minimum of the four sections, so one neglected area caps the whole.

Beside the 28 tests, each model has a governance line: `reviewed` when its fairness, explainability
and privacy reviews are all within their cadence, else what is missing or overdue (see
`domain.governance`). It does not change the score, which stays the paper's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TESTS: dict[str, tuple[str, str]] = {
    "D1": ("data", "Feature expectations are captured in a schema"),
    "D2": ("data", "All features are beneficial"),
    "D3": ("data", "No feature's cost is too much"),
    "D4": ("data", "Features adhere to meta-level requirements"),
    "D5": ("data", "The data pipeline has appropriate privacy controls"),
    "D6": ("data", "New features can be added quickly"),
    "D7": ("data", "All input feature code is tested"),
    "M1": ("model", "Model specs are reviewed and submitted"),
    "M2": ("model", "Offline and online metrics correlate"),
    "M3": ("model", "All hyperparameters have been tuned"),
    "M4": ("model", "The impact of model staleness is known"),
    "M5": ("model", "A simpler model is not better"),
    "M6": ("model", "Model quality is sufficient on important data slices"),
    "M7": ("model", "The model is tested for considerations of inclusion"),
    "I1": ("infrastructure", "Training is reproducible"),
    "I2": ("infrastructure", "Model specs are unit tested"),
    "I3": ("infrastructure", "The ML pipeline is integration tested"),
    "I4": ("infrastructure", "Model quality is validated before serving"),
    "I5": ("infrastructure", "The model is debuggable"),
    "I6": ("infrastructure", "Models are canaried before serving"),
    "I7": ("infrastructure", "Serving models can be rolled back"),
    "Mon1": ("monitoring", "Dependency changes result in notification"),
    "Mon2": ("monitoring", "Data invariants hold for inputs"),
    "Mon3": ("monitoring", "Training and serving are not skewed"),
    "Mon4": ("monitoring", "Models are not too stale"),
    "Mon5": ("monitoring", "Models are numerically stable"),
    "Mon6": ("monitoring", "Computing performance has not regressed"),
    "Mon7": ("monitoring", "Prediction quality has not regressed"),
}
SECTIONS = ("data", "model", "infrastructure", "monitoring")
ANSWER_POINTS = {"manual": 0.5, "automated": 1.0, "no": 0.0}


@dataclass(frozen=True)
class Evidence:
    """What the scan and the inventory show about one model component."""

    has_schema: bool = False
    has_tests: bool = False
    reproducible: bool = False
    has_metric_thresholds: bool = False
    has_model_card: bool = False
    rolled_back_before: bool = False
    drift_monitored: bool = False
    retrain_interval: bool = False
    retrain_automated: bool = False
    governance: str = "not reviewed"  # `domain.governance.reviewed_line` of the model's audits


@dataclass
class ComponentTestScore:
    component: str
    points: dict[str, float] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    governance: str = "not reviewed"

    def section(self, name: str) -> float:
        return sum(p for t, p in self.points.items() if TESTS[t][0] == name)

    @property
    def final(self) -> float:
        return min(self.section(s) for s in SECTIONS)

    @property
    def missing(self) -> list[str]:
        return [t for t in TESTS if self.points.get(t, 0.0) == 0.0]

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "sections": {s: self.section(s) for s in SECTIONS},
                "final": self.final, "points": self.points, "how": self.how,
                "missing": [f"{t} {TESTS[t][1]}" for t in self.missing], "governance": self.governance}


def _automatic(evidence: Evidence) -> dict[str, tuple[float, str]]:
    found: dict[str, tuple[float, str]] = {}
    if evidence.has_schema:
        found["D1"] = (1.0, "training data has a schema in the inventory")
    if evidence.has_tests:
        found["D7"] = (1.0, "tests in the component's paths")
        found["I2"] = (1.0, "tests in the component's paths")
    if evidence.has_model_card:
        found["M1"] = (0.5, "model card (reviewed by hand)")
    if evidence.retrain_interval:
        found["M4"] = (0.5, "retraining interval set")
        found["Mon4"] = (1.0 if evidence.retrain_automated else 0.5,
                         "retraining interval and trigger" if evidence.retrain_automated else "retraining interval")
    if evidence.reproducible:
        found["I1"] = (1.0, "no unseeded randomness found in its code")
    if evidence.has_metric_thresholds:
        found["I4"] = (0.5, "metric thresholds in the inventory")
        found["Mon7"] = (0.5, "metric thresholds in the inventory")
    if evidence.rolled_back_before:
        found["I7"] = (0.5, "a rollback is recorded in the change log")
    if evidence.drift_monitored:
        found["Mon2"] = (1.0, "drift monitoring configured (reference and current data)")
        found["Mon3"] = (0.5, "drift monitoring configured")
    return found


def score(component: str, evidence: Evidence, answers: dict[str, Any] | None = None) -> ComponentTestScore:
    """The score of one component: automatic evidence, raised by answers where they give more."""
    result = ComponentTestScore(component, governance=evidence.governance)
    for test, (points, how) in _automatic(evidence).items():
        result.points[test], result.how[test] = points, how
    for test, answer in (answers or {}).items():
        answered = ANSWER_POINTS.get(str(answer).lower())
        if test in TESTS and answered is not None and answered > result.points.get(test, 0.0):
            result.points[test], result.how[test] = answered, f"answered {answer} in mldebt.yaml"
    return result
