"""One adapter per outside source (the names are `mldebt.domain.source_names.Source`).

Each parses and verifies a payload into domain objects. No HTTP, no SQL.
"""
