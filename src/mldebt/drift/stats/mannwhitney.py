"""Mann-Whitney U test: is one sample stochastically larger than the other (two-sided)."""

from __future__ import annotations

from functools import partial

from scipy.stats import mannwhitneyu

from mldebt.drift.result import PValueThreshold
from mldebt.drift.stats.base import NUMERIC, Statistic, numeric_test

DEFAULT = PValueThreshold(0.05)

mannwhitney = numeric_test("mannwhitney", partial(mannwhitneyu, alternative="two-sided"), minimum=1)

STATISTIC = Statistic("mannwhitney", mannwhitney, NUMERIC, DEFAULT, "Mann-Whitney U test (scipy.stats.mannwhitneyu)")
