"""Text columns: document-level tests, new vocabulary, token distribution."""

import numpy as np
import pyarrow as pa
import pytest
import scipy.stats as ss

from mldebt.drift.compare import compare
from mldebt.drift.text import summarize_text

WORDS = np.array(["where", "is", "my", "order", "please", "return", "these", "shoes", "now", "cancel", "the",
                  "refund", "shipping", "late", "package"])


def docs(rng, n, extra=None, share=0.3):
    out = []
    for _ in range(n):
        words = list(rng.choice(WORDS, rng.integers(3, 12)))
        if extra and rng.random() < share:
            words.append(extra)
        out.append(" ".join(words).capitalize() + "?")
    return out


def test_same_text_distribution_does_not_drift(rng):
    report = compare(pa.table({"q": docs(rng, 1500)}), pa.table({"q": docs(rng, 1500)}))
    column = report.columns[0]
    assert (column.type, column.method, column.drifted) == ("text", "text", False)
    assert report.text[0]["oov_rate"] == 0.0 and report.text[0]["new_tokens"] == []


def test_a_new_word_in_a_third_of_questions_is_drift(rng):
    report = compare(pa.table({"q": docs(rng, 1500)}), pa.table({"q": docs(rng, 1500, extra="klarna")}))
    column, text = report.columns[0], report.text[0]
    assert column.drifted and column.effect > 0.05
    assert text["new_tokens"] == ["klarna"] and 0.02 < text["oov_rate"] < 0.07


def test_length_test_is_scipy_ks_on_tokens_per_document(rng):
    ref, cur = docs(rng, 300), docs(rng, 200)
    summary = summarize_text(pa.chunked_array([ref]), pa.chunked_array([cur]))
    expected = ss.ks_2samp([len(d.split()) for d in ref], [len(d.split()) for d in cur])
    assert summary.length_statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert summary.length_pvalue == pytest.approx(expected.pvalue, rel=1e-9)
