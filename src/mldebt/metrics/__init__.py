"""KPI computations over domain objects; Prometheus exposition."""
