"""The registry: every statistic by name, one module each.

`mldebt drift --method COLUMN=NAME` and `drift.methods` in mldebt.yaml pick from this table;
adding a statistic is one module plus one line here.
"""

from __future__ import annotations

from mldebt.drift.stats import (
    anderson,
    chisquare,
    cramervonmises,
    energy,
    epps_singleton,
    fisher,
    gtest,
    hellinger,
    jensenshannon,
    kl,
    ks,
    mannwhitney,
    mmd,
    psi,
    ttest,
    tvd,
    wasserstein,
    ztest,
)
from mldebt.drift.stats.base import Statistic

STATISTICS: dict[str, Statistic] = {
    module.STATISTIC.name: module.STATISTIC
    for module in (ks, chisquare, ztest, fisher, gtest, psi, kl, jensenshannon, wasserstein, hellinger, tvd,
                   cramervonmises, anderson, mannwhitney, energy, ttest, epps_singleton, mmd)
}


def get_statistic(name: str) -> Statistic:
    """The statistic called `name`; a ValueError naming the known ones otherwise."""
    try:
        return STATISTICS[name]
    except KeyError:
        raise ValueError(f"unknown drift method {name!r}: expected one of {', '.join(sorted(STATISTICS))}") from None


__all__ = ["STATISTICS", "Statistic", "get_statistic"]
