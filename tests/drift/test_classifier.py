"""The domain classifier: cross-validated AUC of telling current rows from reference rows."""

import json

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.classifier import domain_classifier
from mldebt.errors import UserInputError
from tests.drift.test_reconstruction import table


def test_a_correlation_flip_is_separable_through_the_products():
    rng = np.random.default_rng(1)
    result = domain_classifier(table(rng, 5000, 0.9), table(rng, 2000, -0.9))
    assert result.drifted and result.auc > 0.9
    assert result.threshold == 0.55 and result.rows_per_side == 2000 and result.folds == 5
    assert result.n_features == 3 + 6  # a, b, c and their 6 squares and products
    assert result.notes == ["a balanced sample of 2000 rows from each side"]
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["method"] == "domain_classifier" and data["columns"] == ["a", "b", "c"]


def test_a_category_new_in_current_is_drift():
    rng = np.random.default_rng(2)
    reference = table(rng, 3000, 0.5, k=rng.choice(["u", "v", "w"], 3000))
    current = table(rng, 3000, 0.5, k=rng.choice(["u", "v", "w", "new"], 3000, p=[0.2, 0.2, 0.2, 0.4]))
    result = domain_classifier(reference, current)
    assert result.drifted and result.auc > 0.65


def test_undrifted_data_raises_no_alarm_over_100_seeds():
    aucs, alarms = [], 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        reference = table(rng, 2000, 0.8, k=rng.choice(["u", "v", "w"], 2000))
        result = domain_classifier(reference, table(rng, 1000, 0.8, k=rng.choice(["u", "v", "w"], 1000)))
        aucs.append(result.auc)
        alarms += result.drifted
    assert alarms == 0
    assert 0.48 < float(np.mean(aucs)) < 0.52 and max(aucs) < 0.55


def test_it_is_deterministic_for_a_seed():
    rng = np.random.default_rng(3)
    reference, current = table(rng, 800, 0.9), table(rng, 800, 0.6)
    assert domain_classifier(reference, current).auc == domain_classifier(reference, current).auc


@pytest.mark.parametrize(("reference", "current", "kwargs", "message"), [
    (pa.table({"a": np.arange(40.0)}), pa.table({"a": np.arange(400.0)}), {},
     "domain classifier needs at least 50 rows on each side (reference 40, current 400)"),
    (pa.table({"a": np.arange(400.0)}), pa.table({"a": np.arange(400.0)}), {"folds": 1},
     "domain classifier: folds must be a whole number from 2 to 20, got 1"),
    (pa.table({"a": [1.0] * 400}), pa.table({"a": [1.0] * 400}), {},
     "multivariate drift: no numeric or categorical column varies in the reference (left out: a (constant in the "
     "reference))"),
])
def test_unusable_input_is_one_message(reference, current, kwargs, message):
    with pytest.raises(UserInputError) as caught:
        domain_classifier(reference, current, **kwargs)
    assert str(caught.value) == message
