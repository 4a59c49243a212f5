"""Benchmarks and load/fault tests; run by `make bench` and `make loadtest`, never by the test suite."""
