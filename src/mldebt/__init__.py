"""mldebt: find, rank and pay down technical debt in AI/ML systems.

The public Python surface is deliberately small; everything else is reached through the CLI
(`mldebt --help`), the REST API, or the documented subpackages.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
