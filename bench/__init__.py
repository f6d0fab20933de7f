"""Benchmarks run by `make bench`: each prints its ratio against a baseline of the same run."""
