"""Benchmarks of the product at ISP scale; not tests: they print figures (see README.md)."""
