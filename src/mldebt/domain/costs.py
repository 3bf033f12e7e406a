"""The cost model: the rates that turn incidents, tickets, orders and hours into money.

Read from the `costs:` section of `mldebt.yaml`. Every rate has a default so a new inventory ranks
at once, and the breakdown of every item says which rates it used and whether they were defaults:
a team that has not set its own rates can see that its money figures rest on ours.

```yaml
costs:
  currency: USD
  engineer_hour: 95          # loaded cost of one engineering hour
  incident_hour: 400         # cost of one hour of an open incident (people paged, degraded service)
  ticket_handling: 12        # cost of handling one support ticket
  ai_revenue_share: 0.15     # share of an order's revenue an AI feature influences
  dissatisfied_order_loss: 0.2  # share of a dissatisfied shopper's order value lost (churn)
  window_days: 90            # the evidence window; interest is per week over it
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MONEY_CAP = 1e9


class CostRates(BaseModel):
    """Rates for pricing debt. Unknown keys are errors (a typo must not silently fall back to a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    engineer_hour: float = Field(default=100.0, ge=0, le=MONEY_CAP, allow_inf_nan=False)
    incident_hour: float = Field(default=300.0, ge=0, le=MONEY_CAP, allow_inf_nan=False)
    ticket_handling: float = Field(default=15.0, ge=0, le=MONEY_CAP, allow_inf_nan=False)
    ai_revenue_share: float = Field(default=0.1, ge=0, le=1, allow_inf_nan=False)
    dissatisfied_order_loss: float = Field(default=0.2, ge=0, le=1, allow_inf_nan=False)
    window_days: int = Field(default=90, ge=7, le=730)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> CostRates:
        """Rates from the inventory's `costs:` section; raises ValueError naming the bad key."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "costs"
            raise ValueError(f"costs.{where}: {first['msg']}") from None

    def defaults_used(self) -> list[str]:
        """The rates not set in the inventory (shown in breakdowns, so a default is never mistaken for data)."""
        return sorted(name for name in type(self).model_fields if name not in self.model_fields_set)
