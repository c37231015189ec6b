"""Test fixtures: databases (SQLite and PostgreSQL), service processes, and data builders."""

import os

from tests.support.keys import TEST_SECRET_KEY

# One key for the whole run, this process and the ones it starts: tokens hashed and passwords
# encrypted by the builders must match what the API and the workers use.
os.environ["ISPBOX_SECRET_KEY"] = TEST_SECRET_KEY

pytest_plugins = [
    "tests.support.database",
    "tests.support.smtp",
    "tests.support.stripe_server",
]
