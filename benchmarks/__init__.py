"""Benchmarks (run by hand, never asserted in tests): ``python -m benchmarks.kernels``."""
