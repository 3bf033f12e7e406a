"""Text columns (chatbot questions, reviews): length, new vocabulary, token distribution.

No model and no download: tokens are lower-cased runs of word characters (pyarrow compute).
Two document-level tests keep the verdict honest (documents are independent, tokens within a
document are not, so token-count tests would overstate significance):
- length: Kolmogorov-Smirnov on the number of tokens per document;
- vocabulary: the reference is split in two (alternate rows); the first half's vocabulary is the
  yardstick, and the share of each document's tokens outside it is compared (KS) between the
  held-out reference half and the current documents. New slang, products or a new language show
  up here, against the rate at which ordinary text brings new words.
The effect is the Jensen-Shannon distance of the 100 most frequent tokens' shares (plus "other").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mldebt.drift.engine import summarize_numeric
from mldebt.drift.samples import js_distance

TOP_TOKENS = 100
TOKEN_PATTERN = r"[^\w']+"


@dataclass
class TextSummary:
    length_pvalue: float
    length_statistic: float
    oov_pvalue: float
    oov_statistic: float
    token_js: float
    oov_rate: float                 # share of current tokens never seen in the reference
    reference_oov_rate: float       # the same for the held-out reference half (what is normal)
    mean_tokens: tuple[float, float]
    new_tokens: list[str] = field(default_factory=list)

    @property
    def pvalue(self) -> float:
        """Both document-level tests, Bonferroni within the column."""
        return min(1.0, 2 * min(self.length_pvalue, self.oov_pvalue))

    def to_dict(self) -> dict[str, Any]:
        return {"length_ks": self.length_statistic, "length_pvalue": self.length_pvalue,
                "oov_ks": self.oov_statistic, "oov_pvalue": self.oov_pvalue, "token_jensenshannon": self.token_js,
                "oov_rate": self.oov_rate, "reference_oov_rate": self.reference_oov_rate,
                "mean_tokens_reference": self.mean_tokens[0], "mean_tokens_current": self.mean_tokens[1],
                "new_tokens": self.new_tokens}


def _tokens(docs: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """(flat non-empty tokens, document index of each)."""
    flat = pc.list_flatten(docs)
    parents = pc.list_parent_indices(docs)
    keep = pc.not_equal(flat, "")
    return pc.filter(flat, keep), pc.filter(parents, keep).to_numpy()


def _oov_share(tokens: pa.Array, parents: np.ndarray, n_docs: int, vocabulary: pa.Array) -> np.ndarray:
    """Per document: the share of its tokens outside `vocabulary` (0 for empty documents)."""
    unseen = pc.invert(pc.is_in(tokens, value_set=vocabulary)).to_numpy(zero_copy_only=False)
    total = np.bincount(parents, minlength=n_docs)
    outside = np.bincount(parents, weights=unseen.astype(np.float64), minlength=n_docs)
    return np.divide(outside, total, out=np.zeros(n_docs), where=total > 0)


def summarize_text(reference: pa.ChunkedArray, current: pa.ChunkedArray) -> TextSummary:
    ref_docs = pc.split_pattern_regex(pc.utf8_lower(_strings(reference)), TOKEN_PATTERN)
    cur_docs = pc.split_pattern_regex(pc.utf8_lower(_strings(current)), TOKEN_PATTERN)
    n_ref, n_cur = len(ref_docs), len(cur_docs)
    if n_ref < 2 or n_cur < 1:
        raise ValueError("needs at least 2 reference and 1 current documents")
    ref_tokens, ref_parents = _tokens(ref_docs)
    cur_tokens, cur_parents = _tokens(cur_docs)
    ref_lengths = np.bincount(ref_parents, minlength=n_ref).astype(np.float64)
    cur_lengths = np.bincount(cur_parents, minlength=n_cur).astype(np.float64)
    length = summarize_numeric(ref_lengths, cur_lengths)
    first_half = (ref_parents % 2) == 0
    yardstick = pc.unique(pc.filter(ref_tokens, pa.array(first_half)))
    held_tokens = pc.filter(ref_tokens, pa.array(~first_half))
    held_parents = ref_parents[~first_half] // 2
    n_held = n_ref // 2
    oov = summarize_numeric(_oov_share(held_tokens, held_parents, n_held, yardstick),
                            _oov_share(cur_tokens, cur_parents, n_cur, yardstick))
    vocabulary = pc.unique(ref_tokens)
    unseen = pc.invert(pc.is_in(cur_tokens, value_set=vocabulary))
    new = pc.value_counts(pc.filter(cur_tokens, unseen))
    new_sorted = sorted(new.to_pylist(), key=lambda item: -item["counts"])[:10]
    held_unseen = pc.invert(pc.is_in(held_tokens, value_set=yardstick))
    return TextSummary(
        length_pvalue=length.ks_pvalue, length_statistic=length.ks_statistic,
        oov_pvalue=oov.ks_pvalue, oov_statistic=oov.ks_statistic,
        token_js=_token_js(ref_tokens, cur_tokens),
        oov_rate=_mean(unseen), reference_oov_rate=_mean(held_unseen),
        mean_tokens=(float(ref_lengths.mean()), float(cur_lengths.mean())),
        new_tokens=[item["values"] for item in new_sorted],
    )


def _strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    text = column.drop_null()
    if pa.types.is_dictionary(text.type):
        text = text.cast(text.type.value_type)
    return text if pa.types.is_string(text.type) or pa.types.is_large_string(text.type) else text.cast(pa.string())


def _mean(flags: pa.Array) -> float:
    return float(pc.mean(flags.cast(pa.int8())).as_py() or 0.0) if len(flags) else 0.0


def _token_js(ref_tokens: pa.Array, cur_tokens: pa.Array) -> float:
    counts = pc.value_counts(pa.chunked_array([ref_tokens, cur_tokens]).combine_chunks())
    ordered = sorted(counts.to_pylist(), key=lambda item: -item["counts"])[:TOP_TOKENS]
    top = pa.array([item["values"] for item in ordered], pa.string())

    def shares(tokens: pa.Array) -> np.ndarray:
        index = pc.index_in(tokens, value_set=top).fill_null(len(top)).to_numpy()
        return np.bincount(index, minlength=len(top) + 1)

    return js_distance(shares(ref_tokens), shares(cur_tokens))
