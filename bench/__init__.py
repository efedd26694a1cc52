"""Benchmarks that print figures (not tests): run each as `python -m bench.<name>` from the
repository root. They share only `tests.support` with the tests."""
