"""Monitors, alert channels and governance audits as `mldebt.yaml` declares them (typed data, no I/O).

A component lists its `monitors:` (drift, model quality, SLOs as PromQL); the top-level
`monitoring:` section says where Prometheus is, where alerts go (`channels`), how often an alert may
repeat (`cooldown`), how many alerts a component may send a channel per day (`budget_per_day`,
beyond it they fold into one digest) and the base URL of the dashboard that alerts link to. A model's
`governance:` records its last fairness, explainability and privacy reviews and their cadence.

```yaml
monitoring:
  prometheus: {url: http://prometheus:9090, timeout: 10s}
  base_url: https://mldebt.example.com
  cooldown: 1h
  budget_per_day: 5
  channels:
    - {name: am, kind: alertmanager, url: http://alertmanager:9093}
    - {name: ml-team, kind: slack, url_env: MLDEBT_SLACK_WEBHOOK_URL}
    - {name: ops, kind: webhook, url: https://ops.example.com/hooks/mldebt, secret_env: MLDEBT_ALERT_WEBHOOK_SECRET}
components:
  - name: recommender
    kind: service
    monitors:
      - {name: lag, kind: slo, every: 1m, objective: latency_p95, threshold: 0.3, window: 5m,
         query: 'histogram_quantile(0.95, sum(rate(rec_latency_seconds_bucket[5m])) by (le))'}
  - name: fraud-model
    kind: model
    monitors:
      - {name: daily-drift, kind: drift, every: 1d, reference: data/ref.parquet, current: data/today.parquet}
      - {name: quality, kind: model-quality, every: 1d, labels: data/labelled.csv, label: chargeback,
         prediction: flagged, bounds: {recall: {min: 0.8}}}
    governance:
      cadence_days: 180
      fairness: {date: 2026-06-01, reviewer: ana}
      explainability: {date: 2026-05-10, reviewer: raj, document: docs/fraud-shap.md}
      privacy: {date: 2026-04-02, reviewer: dpo}
```
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from mldebt.domain.past_dates import PastDate

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
MonitorName = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]

MIN_EVERY = dt.timedelta(seconds=10)
MAX_EVERY = dt.timedelta(days=366)
MAX_MONITORS_PER_COMPONENT = 50
MAX_CHANNELS = 20
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> dt.timedelta:
    """`30s`, `5m`, `1h`, `1d`, `2w` (or a number of seconds) as a timedelta; ValueError otherwise."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}: expected e.g. 30s, 5m, 1h, 1d")
    if isinstance(value, int | float):
        return dt.timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"bad duration {value!r}: expected a number and a unit (s, m, h, d, w), e.g. 5m")
    return dt.timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def format_duration(value: dt.timedelta) -> str:
    """The shortest exact spelling: 90 s -> "90s", 3600 s -> "1h"."""
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Bound(_Strict):
    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Bound:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


ALERT_SEVERITIES = ("critical", "warning", "info")
AlertSeverity = Literal["critical", "warning", "info"]


class _MonitorBase(_Strict):
    name: MonitorName
    every: Duration = Field(description="How often the monitor runs (10s to 366d), e.g. 15m, 1h, 1d.")
    severity: AlertSeverity = "warning"
    enabled: bool = True
    channels: list[str] | None = Field(default=None, description="Channel names; default: every channel.")

    @model_validator(mode="after")
    def _every_in_range(self) -> _MonitorBase:
        if not MIN_EVERY <= self.every <= MAX_EVERY:
            raise ValueError(f"every must be between {format_duration(MIN_EVERY)} and {format_duration(MAX_EVERY)}")
        return self


class DriftMonitor(_MonitorBase):
    """`mldebt drift` on a schedule: reference and current tables (paths relative to mldebt.yaml)."""

    kind: Literal["drift"]
    reference: str = Field(min_length=1)
    current: str = Field(min_length=1)
    columns: list[str] | None = None
    methods: dict[str, str] = Field(default_factory=dict, description="Per-column method, as --method COL=M.")
    thresholds: dict[str, float | str] = Field(default_factory=dict, description="As --threshold COL=T.")
    multivariate: bool = Field(default=False, description="Also PCA reconstruction drift (as --multivariate): "
                                                          "a breach when it drifts, even if no column does.")


class ModelQualityMonitor(_MonitorBase):
    """Realized model quality on labelled data: a table with the label and prediction columns."""

    kind: Literal["model-quality"]
    labels: str = Field(min_length=1, description="The labelled table (CSV or Parquet).")
    label: str = Field(min_length=1)
    prediction: str = Field(min_length=1)
    bounds: dict[str, Bound] = Field(default_factory=dict, description="Default: the model's `metrics` bounds.")


SLO_OBJECTIVES = ("latency_p95", "error_rate", "freshness", "custom")


class BurnWindow(_Strict):
    long: Duration
    short: Duration
    factor: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class BurnRate(_Strict):
    """Multi-window burn-rate alerting (SRE workbook): `query` gives the error ratio; breach when it
    exceeds factor x (1 - objective) over both the long and the short window of a pair."""

    objective: Annotated[float, Field(gt=0, lt=1)] = Field(description="e.g. 0.999 for 99.9%")
    fast: BurnWindow = Field(default_factory=lambda: BurnWindow(long=dt.timedelta(hours=1),
                                                                short=dt.timedelta(minutes=5), factor=14.4))
    slow: BurnWindow | None = Field(default_factory=lambda: BurnWindow(long=dt.timedelta(hours=6),
                                                                       short=dt.timedelta(minutes=30), factor=6.0))


class SloMonitor(_MonitorBase):
    """A PromQL query against `monitoring.prometheus`; breached when the value is beyond `threshold`
    at every point of the last `window` (a `query_range`), resolved when it holds again."""

    kind: Literal["slo"]
    objective: Literal["latency_p95", "error_rate", "freshness", "custom"] = "custom"
    query: str = Field(min_length=1, max_length=10_000)
    threshold: Annotated[float, Field(allow_inf_nan=False)] | None = None
    comparison: Literal["above", "below"] = "above"
    window: Duration = Field(default=dt.timedelta(minutes=5))
    step: Duration | None = None
    category: str | None = Field(default=None, description="Incident category; default by objective.")
    burn_rate: BurnRate | None = None

    @model_validator(mode="after")
    def _threshold_or_burn(self) -> SloMonitor:
        if self.threshold is None and self.burn_rate is None:
            raise ValueError("an slo monitor needs a threshold or a burn_rate")
        return self


Monitor = Annotated[DriftMonitor | ModelQualityMonitor | SloMonitor, Field(discriminator="kind")]
MONITOR_KINDS = ("drift", "model-quality", "slo")
"""The one list of monitor kinds; `service.monitors.KINDS` maps each to its runner module."""


CHANNEL_KINDS = ("alertmanager", "slack", "webhook")
"""The one list of alert channel kinds; `integrations.alert_channels.CHANNELS` maps each to its module."""


class Channel(_Strict):
    """Where alerts go. A secret (Slack's URL is one, a webhook's signing key) comes from the
    environment variable named by `url_env` / `secret_env`, never from the file."""

    name: MonitorName
    kind: Literal["alertmanager", "slack", "webhook"]
    url: str | None = Field(default=None, pattern=r"^https?://")
    url_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    timeout: Duration = Field(default=dt.timedelta(seconds=10))
    budget_per_day: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_url(self) -> Channel:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("give url or url_env (the name of an environment variable holding it), not both")
        return self


class PrometheusSource(_Strict):
    url: str = Field(pattern=r"^https?://")
    timeout: Duration = Field(default=dt.timedelta(seconds=10))
    bearer_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")


class MonitoringSettings(_Strict):
    prometheus: PrometheusSource | None = None
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://")
    channels: list[Channel] = Field(default_factory=list, max_length=MAX_CHANNELS)
    cooldown: Duration = Field(default=dt.timedelta(hours=1),
                               description="An alert key is notified again at most this often.")
    budget_per_day: int = Field(default=10, ge=1, le=10_000,
                                description="Alerts per component and channel per day before folding into a digest.")
    resend_every: Duration = Field(default=dt.timedelta(minutes=1),
                                   description="Active alerts are re-sent to Alertmanager this often (under its "
                                               "resolve_timeout, 5 min by default).")

    @model_validator(mode="after")
    def _unique_channels(self) -> MonitoringSettings:
        names = [c.name for c in self.channels]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"channel names must be unique: {', '.join(duplicates)}")
        return self


AUDIT_KINDS = ("fairness", "explainability", "privacy")
"""The one list of governance audits a model records (fairness/bias, explainability, privacy/PII)."""
DEFAULT_AUDIT_CADENCE_DAYS = 365


class Audit(_Strict):
    date: PastDate  # a review dated after tomorrow is an error at this field
    reviewer: str = Field(min_length=1, max_length=200)
    document: str | None = None
    notes: str | None = Field(default=None, max_length=2000)


class Governance(_Strict):
    cadence_days: int = Field(default=DEFAULT_AUDIT_CADENCE_DAYS, ge=1, le=3650)
    fairness: Audit | None = None
    explainability: Audit | None = None
    privacy: Audit | None = None

    def audits(self) -> dict[str, Audit | None]:
        return {kind: getattr(self, kind) for kind in AUDIT_KINDS}
