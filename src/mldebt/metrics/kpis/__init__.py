"""Key performance indicators of ML debt, per quarter: pure math over plain records.

`registry.KPIS` is the table; `records` holds what the store hands over; `period` the quarters.
"""

from mldebt.metrics.kpis.base import Direction, KpiResult, KpiSpec, Measure
from mldebt.metrics.kpis.period import Period, Quarter, parse_quarter
from mldebt.metrics.kpis.records import QuarterData
from mldebt.metrics.kpis.registry import KPI_IDS, KPIS

__all__ = ["KPIS", "KPI_IDS", "Direction", "KpiResult", "KpiSpec", "Measure", "Period", "Quarter", "QuarterData",
           "parse_quarter"]
