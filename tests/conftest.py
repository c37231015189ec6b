"""Test fixtures: databases (SQLite and PostgreSQL), service processes, and data builders."""

import os

from tests.support.keys import TEST_SECRET_KEY

# One key for the whole run, this process and the ones it starts: tokens hashed and passwords
# encrypted by the builders must match what the API and the workers use.
os.environ["ISPBOX_SECRET_KEY"] = TEST_SECRET_KEY

from ispbox.config import get_settings
from workers.process import start_actors

# The test process runs actors too (the embedded workers, the API's): the broker is made and
# the actors declared on it before any test module imports them.
start_actors(get_settings())

pytest_plugins = [
    "tests.support.database",
    "tests.support.embedded_workers",
    "tests.support.smtp",
    "tests.support.stripe_server",
]
