"""FastAPI app: REST API, webhooks, dashboard templates and static assets."""
