"""Outbound clients for servers mldebt talks to (BigCommerce, Zigpoll; later Prometheus, Alertmanager, Slack).

No SQL here: the service layer stores what these return.
"""
