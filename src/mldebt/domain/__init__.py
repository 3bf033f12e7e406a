"""Pure data types and rules: components, findings, scores. No I/O happens in this package."""
