"""The inventory: what an `mldebt.yaml` describes, as typed data.

Modelled on Backstage catalog descriptors (name, kind, owner, lifecycle, dependsOn) and on model
cards (framework, training data, metrics with thresholds). The pydantic models double as the JSON
Schema that `mldebt catalog schema` prints, so editors validate the same rules the CLI does.
Cross-component rules (unknown names, cycles) live in `domain.catalog_rules`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mldebt.domain.costs import CostRates
from mldebt.domain.monitoring import MAX_MONITORS_PER_COMPONENT, Governance, Monitor, MonitoringSettings
from mldebt.domain.past_dates import PastDate
from mldebt.domain.source_names import Source

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]

# Ranges: values outside them are typos, and they crashed later (an `OverflowError` when a retrain
# interval of 10^23 days met a date, or days since retrain of -2,912,108 for `trained_at: 9999-12-31`).
MAX_RETRAIN_EVERY_DAYS = 3650  # ten years
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class Kind(StrEnum):
    MODEL = "model"
    DATASET = "dataset"
    SERVICE = "service"
    PIPELINE = "pipeline"
    FEATURE = "feature"


class Lifecycle(StrEnum):
    EXPERIMENTAL = "experimental"
    PRODUCTION = "production"
    DEPRECATED = "deprecated"
    LEGACY = "legacy"

    @property
    def is_retiring(self) -> bool:
        """Deprecated and legacy components should not carry production traffic."""
        return self in (Lifecycle.DEPRECATED, Lifecycle.LEGACY)


class ChangeKind(StrEnum):
    RETRAIN = "retrain"
    PATCH = "patch"
    HOTFIX = "hotfix"
    ALGORITHM_CHANGE = "algorithm-change"
    DEPENDENCY_UPGRADE = "dependency-upgrade"
    ROLLBACK = "rollback"


class _Strict(BaseModel):
    """Unknown keys are errors: a typo such as `ower:` must not pass silently."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, str_strip_whitespace=True)


class Change(_Strict):
    """One entry of a component's change log: the record of retrains, patches and rollbacks."""

    version: str = Field(min_length=1)
    date: PastDate
    author: str | None = None
    kind: ChangeKind
    description: str = Field(min_length=1)
    link: str | None = None


class MetricThreshold(_Strict):
    """A model metric with its last measured value and the bounds it must stay within."""

    value: FiniteFloat | None = None
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None

    @model_validator(mode="after")
    def _bounds_ordered(self) -> MetricThreshold:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class RetrainMode(StrEnum):
    OFF = "off"
    APPROVE = "approve"
    AUTO = "auto"


class RetrainTrigger(_Strict):
    """How to retrain a model: a shell command or a webhook, run automatically or after approval."""

    mode: RetrainMode = RetrainMode.OFF
    command: str | None = None
    webhook: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _one_target(self) -> RetrainTrigger:
        if self.command and self.webhook:
            raise ValueError("give either command or webhook, not both")
        if self.mode != RetrainMode.OFF and not (self.command or self.webhook):
            raise ValueError(f"mode {self.mode.value!r} needs a command or a webhook")
        return self


ColumnType = Literal["numeric", "integer", "float", "categorical", "boolean", "datetime", "text"]


class Column(_Strict):
    name: str = Field(min_length=1)
    type: ColumnType
    description: str | None = None


class _ComponentBase(_Strict):
    name: Slug
    description: str | None = None
    owner: str | None = None
    lifecycle: Lifecycle = Lifecycle.EXPERIMENTAL
    customer_facing: bool = False
    revenue_critical: bool = False
    version: str | None = None
    depends_on: list[Slug] = Field(default_factory=list)
    repo: str | None = None
    paths: list[str] = Field(default_factory=list)
    docs: str | None = None
    changes: list[Change] = Field(default_factory=list)
    monitors: list[Monitor] = Field(default_factory=list, max_length=MAX_MONITORS_PER_COMPONENT,
                                    description="Scheduled checks (docs/monitoring.md).")

    @model_validator(mode="after")
    def _unique_monitors(self) -> _ComponentBase:
        names = [m.name for m in self.monitors]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"monitor names must be unique within a component: {', '.join(duplicates)}")
        return self

    @property
    def last_retrained(self) -> dt.date | None:
        """The most recent of `trained_at` and any `retrain` entry of the change log."""
        dates = [c.date for c in self.changes if c.kind == ChangeKind.RETRAIN]
        trained_at = getattr(self, "trained_at", None)
        if trained_at is not None:
            dates.append(trained_at)
        return max(dates) if dates else None


class Model(_ComponentBase):
    kind: Literal["model"]
    framework: str | None = None
    trained_at: PastDate | None = None
    training_data: Slug | None = None
    retrain_every_days: int | None = Field(default=None, ge=1, le=MAX_RETRAIN_EVERY_DAYS)
    model_card: str | None = None
    metrics: dict[str, MetricThreshold] = Field(default_factory=dict)
    retrain: RetrainTrigger | None = None
    governance: Governance | None = Field(default=None, description="Fairness, explainability and privacy reviews.")


class Dataset(_ComponentBase):
    kind: Literal["dataset"]
    schema_: list[Column] = Field(default_factory=list, alias="schema")
    reference: str | None = None
    current: str | None = None

    model_config = ConfigDict(populate_by_name=True)


class Service(_ComponentBase):
    kind: Literal["service"]


class Pipeline(_ComponentBase):
    kind: Literal["pipeline"]
    schedule: str | None = None


class Feature(_ComponentBase):
    kind: Literal["feature"]


Component = Annotated[Model | Dataset | Service | Pipeline | Feature, Field(discriminator="kind")]


class SourceRule(_Strict):
    """Maps an outside identifier to a component: every `match` key must equal (or glob-match)."""

    match: dict[str, str] = Field(min_length=1)
    component: Slug


class Catalog(_Strict):
    """The whole `mldebt.yaml` file."""

    version: Literal[1]
    components: list[Component] = Field(default_factory=list)
    sources: dict[Source, list[SourceRule]] = Field(default_factory=dict)
    scan: dict[str, Any] = Field(default_factory=dict, description="Scanner settings (rules, severities).")
    costs: CostRates = Field(default_factory=lambda: CostRates(),
                             description="Rates that price debt (see docs/prioritization.md).")
    drift: dict[str, Any] = Field(default_factory=dict, description="Drift policy overrides.")
    monitoring: MonitoringSettings = Field(default_factory=lambda: MonitoringSettings(),
                                           description="Prometheus, alert channels, cooldown, budget.")

    def by_name(self) -> dict[str, Any]:
        return {c.name: c for c in self.components}


def catalog_json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to validate `mldebt.yaml`."""
    schema = Catalog.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "mldebt inventory (mldebt.yaml)",
    }
