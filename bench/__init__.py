"""Benchmarks of the performance targets in PRODUCT.md, run with `make bench`."""
