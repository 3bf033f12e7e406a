"""The storefront demo scenario: its catalog, generated data and the run that loads it.

Not a use case: it drives the service layer the way a user would.
"""
