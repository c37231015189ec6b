"""Test fixtures: databases (SQLite and PostgreSQL), service processes, and data builders."""

pytest_plugins = [
    "tests.support.database",
    "tests.support.smtp",
    "tests.support.stripe_server",
]
