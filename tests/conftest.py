"""Test fixtures: databases (SQLite and PostgreSQL), service processes, and data builders."""

pytest_plugins = ["tests.support.database"]
