"""Reading `mldebt.yaml`: YAML text to a validated `Catalog`, every problem located by line.

Sits beside the other detectors (drift, scan, ingest): it parses a file into domain objects and
does no SQL and no network I/O.
"""
