"""Shipped knowledge: end-of-support dates, deprecated APIs, retired BigCommerce endpoints.

Data, not code: a new entry is one line. Dates follow SPEC 0 (and NEP 29 before it): core
scientific Python packages are supported for 24 months after a minor release; TensorFlow 1.x ended
with 1.15. The scanner compares against the scan date, so findings appear as time passes.
"""

from __future__ import annotations

import datetime as dt

D = dt.date

# package -> [(minor series, release date)]; support ends 24 months after the release (SPEC 0).
SUPPORT_WINDOW_DAYS = 730
RELEASES: dict[str, list[tuple[str, dt.date]]] = {
    "numpy": [("1.19", D(2020, 6, 20)), ("1.20", D(2021, 1, 30)), ("1.21", D(2021, 6, 22)),
              ("1.22", D(2021, 12, 31)), ("1.23", D(2022, 6, 22)), ("1.24", D(2022, 12, 18)),
              ("1.25", D(2023, 6, 17)), ("1.26", D(2023, 9, 16)), ("2.0", D(2024, 6, 16)),
              ("2.1", D(2024, 8, 18)), ("2.2", D(2024, 12, 8)), ("2.3", D(2025, 6, 7))],
    "pandas": [("1.1", D(2020, 7, 28)), ("1.2", D(2020, 12, 26)), ("1.3", D(2021, 7, 2)),
               ("1.4", D(2022, 1, 22)), ("1.5", D(2022, 9, 19)), ("2.0", D(2023, 4, 3)),
               ("2.1", D(2023, 8, 30)), ("2.2", D(2024, 1, 19)), ("2.3", D(2025, 6, 5))],
    "scipy": [("1.5", D(2020, 6, 21)), ("1.6", D(2020, 12, 31)), ("1.7", D(2021, 6, 20)),
              ("1.8", D(2022, 2, 5)), ("1.9", D(2022, 7, 29)), ("1.10", D(2023, 1, 3)),
              ("1.11", D(2023, 6, 25)), ("1.12", D(2024, 1, 20)), ("1.13", D(2024, 4, 2)),
              ("1.14", D(2024, 6, 24)), ("1.15", D(2025, 1, 3)), ("1.16", D(2025, 6, 22))],
    "scikit-learn": [("0.23", D(2020, 5, 12)), ("0.24", D(2020, 12, 22)), ("1.0", D(2021, 9, 24)),
                     ("1.1", D(2022, 5, 12)), ("1.2", D(2022, 12, 8)), ("1.3", D(2023, 6, 30)),
                     ("1.4", D(2024, 1, 18)), ("1.5", D(2024, 5, 21)), ("1.6", D(2024, 12, 9)),
                     ("1.7", D(2025, 6, 5))],
}

# Whole major lines that are out of support regardless of the date.
RETIRED_MAJORS: dict[str, tuple[str, str]] = {
    "tensorflow": ("2", "TensorFlow 1.x reached end of support with 1.15 (use TensorFlow 2 or Keras 3)"),
    "tensorflow-gpu": ("2", "TensorFlow 1.x reached end of support with 1.15"),
    "keras": ("2", "standalone Keras 1.x is unsupported"),
    "torch": ("1", "PyTorch 0.x is unsupported"),
}

# Deprecated or removed imports / qualified names -> replacement.
DEPRECATED_NAMES: dict[str, str] = {
    "sklearn.externals.joblib": "import joblib directly",
    "sklearn.externals.six": "use Python 3 built-ins",
    "sklearn.cross_validation": "sklearn.model_selection",
    "sklearn.grid_search": "sklearn.model_selection",
    "sklearn.learning_curve": "sklearn.model_selection",
    "sklearn.preprocessing.Imputer": "sklearn.impute.SimpleImputer",
    "sklearn.datasets.load_boston": "sklearn.datasets.fetch_california_housing",
    "sklearn.metrics.plot_confusion_matrix": "ConfusionMatrixDisplay.from_estimator",
    "sklearn.metrics.plot_roc_curve": "RocCurveDisplay.from_estimator",
    "sklearn.metrics.plot_precision_recall_curve": "PrecisionRecallDisplay.from_estimator",
    "sklearn.utils.testing": "sklearn.utils._testing or plain pytest",
    "sklearn.datasets.samples_generator": "sklearn.datasets",
    "tensorflow.Session": "eager execution / tf.function (TF 2)",
    "tensorflow.contrib": "TF 2 APIs or TF Addons (tf.contrib was removed in 2.0)",
    "tensorflow.placeholder": "function arguments with tf.function (TF 2)",
    "tensorflow.global_variables_initializer": "eager execution (TF 2)",
    "tensorflow.app.flags": "absl.flags",
    "tensorflow.logging": "tf.get_logger() / logging",
    "tensorflow.compat.v1": "native TF 2 APIs (compat.v1 is a migration shim)",
    "keras.wrappers.scikit_learn": "scikeras",
    "tensorflow.keras.wrappers.scikit_learn": "scikeras",
    "keras.layers.merge": "keras.layers.Concatenate / Add",
    "torch.autograd.Variable": "plain tensors (Variable is a no-op since 0.4)",
    "torch.cuda.amp.autocast": "torch.amp.autocast('cuda')",
    "torch.cuda.amp.GradScaler": "torch.amp.GradScaler('cuda')",
    "torch.nn.functional.sigmoid": "torch.sigmoid",
    "torch.nn.functional.tanh": "torch.tanh",
    "torch.testing.assert_allclose": "torch.testing.assert_close",
    "torch.symeig": "torch.linalg.eigh",
    "torch.solve": "torch.linalg.solve",
    "torch.lstsq": "torch.linalg.lstsq",
    "torch.eig": "torch.linalg.eig",
    "torch.matrix_rank": "torch.linalg.matrix_rank",
    "torch.chain_matmul": "torch.linalg.multi_dot",
    "pandas.Panel": "a MultiIndex DataFrame or xarray",
    "pandas.np": "import numpy directly",
    "pandas.datetime": "import datetime directly",
    "pandas.util.testing": "pandas.testing",
}

# Method names that only deprecated ML APIs use (any receiver).
DEPRECATED_METHODS: dict[str, str] = {
    "as_matrix": "DataFrame.to_numpy() (as_matrix was removed in pandas 1.0)",
    "iteritems": "DataFrame.items() (iteritems was removed in pandas 2.0)",
    "predict_classes": "argmax of model.predict() (removed in TF 2.6)",
    "fit_generator": "model.fit(), which accepts generators (removed in TF 2.4+)",
    "evaluate_generator": "model.evaluate()",
    "predict_generator": "model.predict()",
}
# Attribute names that only deprecated APIs use when subscripted (df.ix[...]).
DEPRECATED_INDEXERS: dict[str, str] = {"ix": ".loc[] or .iloc[] (.ix was removed in pandas 1.0)"}

# BigCommerce v2 endpoints with a v3 replacement (path prefix after /stores/{hash}/).
BIGCOMMERCE_V2_REPLACEMENTS: dict[str, str] = {
    "products": "/v3/catalog/products",
    "categories": "/v3/catalog/categories (or /v3/catalog/trees)",
    "brands": "/v3/catalog/brands",
    "options": "/v3/catalog/products/{id}/options",
    "option_sets": "/v3/catalog/products/{id}/options",
    "customers": "/v3/customers",
    "pages": "/v3/content/pages",
    "hooks": "/v3/hooks",
    "coupons": "/v3/promotions",
}
