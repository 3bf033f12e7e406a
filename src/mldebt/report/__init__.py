"""Board report: HTML (Jinja2) and PDF, with charts."""
