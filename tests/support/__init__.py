"""Fixtures and helpers shared by the test suite (databases, service processes, data builders)."""
