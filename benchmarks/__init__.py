"""Benchmarks against baselines measured in the same run, and the load and crash tools."""
