"""One adapter per outside source (sentry, alertmanager, zendesk, zigpoll, bigcommerce, csv).

Each parses and verifies a payload into domain objects. No HTTP, no SQL.
"""
