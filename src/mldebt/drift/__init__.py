"""Drift and data-quality statistics: pure functions over arrays and Arrow tables, mergeable profiles."""
