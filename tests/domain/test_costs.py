import pytest

from mldebt.domain.component import Catalog
from mldebt.domain.costs import CostRates


def test_rates_not_set_in_the_inventory_are_listed_as_defaults():
    rates = CostRates.from_mapping({"engineer_hour": 95, "currency": "EUR"})
    assert (rates.engineer_hour, rates.currency, rates.ticket_handling) == (95.0, "EUR", 15.0)
    assert rates.defaults_used() == ["ai_revenue_share", "dissatisfied_order_loss", "incident_hour",
                                     "ticket_handling", "window_days"]


@pytest.mark.parametrize("data, message", [
    ({"enginer_hour": 95}, "costs.enginer_hour: Extra inputs are not permitted"),
    ({"ai_revenue_share": 1.5}, "costs.ai_revenue_share: Input should be less than or equal to 1"),
    ({"incident_hour": -3}, "costs.incident_hour: Input should be greater than or equal to 0"),
    ({"currency": "dollars"}, "costs.currency: String should match pattern '^[A-Z]{3}$'"),
])
def test_a_bad_rate_is_named(data, message):
    with pytest.raises(ValueError) as raised:
        CostRates.from_mapping(data)
    assert str(raised.value) == message


def test_the_inventory_validates_its_costs_section():
    catalog = Catalog.model_validate({"version": 1, "costs": {"ticket_handling": 12}})
    assert catalog.costs.ticket_handling == 12.0
    with pytest.raises(ValueError, match="window_days"):
        Catalog.model_validate({"version": 1, "costs": {"window_days": 3}})
