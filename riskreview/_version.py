"""The library version (kept in step with pyproject.toml by a test)."""

VERSION = "0.2.0"
