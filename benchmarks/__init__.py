"""Reproducible benchmarks against named peers (run by hand, not part of the test suite)."""
