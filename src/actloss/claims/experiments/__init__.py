"""The claims' experiments, by theme; each returns a ``_common.Measurement``."""
