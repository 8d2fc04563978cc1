"""The synpharm version, in one place (recorded in every provenance block)."""

__version__ = "0.1.0"
