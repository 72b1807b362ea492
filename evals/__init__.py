"""Evaluation: the multi-turn harness, the synthetic benchmark, reports and benchmarks."""
