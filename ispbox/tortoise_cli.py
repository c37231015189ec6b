"""The configuration the `tortoise` command line (makemigrations, migrate) reads through
`[tool.tortoise]` in pyproject.toml: the configured database, with the committed migrations."""

from ispbox.config import get_settings
from orm.db import tortoise_config

TORTOISE_ORM = tortoise_config(get_settings().database_url)
