"""Reproducible benchmarks: ScoreTrail against bare baselines measured in the same run."""
