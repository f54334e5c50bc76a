"""Kinito's engine and application core: Problem in, Plan out (no web framework below here)."""

__version__ = "0.1.0"
