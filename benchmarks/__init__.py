"""Benchmarks, run as `python -m benchmarks ...` (see `make bench`)."""
