"""Performance benchmarks of Retouch's parts (runnable modules: ``python -m evals.bench.NAME``)."""
