"""Settings read from ISPBOX_* environment variables (names relied on by outside tools)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ISPBOX_", extra="ignore")

    database_url: str = Field(
        default="sqlite://ispbox.sqlite3",
        description="sqlite://FILE (embedded default, in the working directory) or postgres://…",
    )
    broker_url: str = Field(
        default="memory://",
        description="memory:// runs the workers inside the API process; redis://… or amqp://…",
    )
    env: Literal["development", "production"] = "production"
    secret_key: str = Field(
        default="change-me-in-production",
        description="Signs preview links; set a long random value in production.",
    )
    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where browsers reach the API (preview links in emails and the dashboard).",
    )
    dashboard_url: str = Field(
        default="http://127.0.0.1:8501",
        description="Where browsers reach the dashboard (client billing links).",
    )
    preview_link_ttl_seconds: int = 7 * 24 * 3600
    run_chunk_size: int = 1000
    # How long a silent Redis worker counts as alive before its unacknowledged messages go back
    # to the queue for another worker.
    broker_heartbeat_ms: int = 60_000
    # Out of a million Redis commands, how many also requeue dead workers' messages.
    broker_maintenance_chance: int = 1000
    scheduler_interval_seconds: int = 60
    # Prepended to every queue name, so several installations can share one Redis or RabbitMQ.
    queue_prefix: str = ""
    # Abuse limits of the API.
    max_query_cost: int = Field(
        default=20_000, description="Nodes one GraphQL operation may ask for (GitHub's model)."
    )
    query_timeout_seconds: float = Field(
        default=10.0, description="A query still running after this is stopped (never mutations)."
    )
    max_request_bytes: int = Field(
        default=1024 * 1024, description="Largest request body accepted (413 above)."
    )
    rate_limit_per_token: str = Field(
        default="6000/minute", description="Requests per API token (429 above)."
    )
    rate_limit_per_address: str = Field(
        default="12000/minute", description="Requests per client address (429 above)."
    )
    rate_limit_failed_auth: str = Field(
        default="5/second;100/minute",
        description="Refused tokens and preview links per client address before it gets 429.",
    )
    rate_limit_storage: str | None = Field(
        default=None,
        description="limits storage URI; default: the broker's Redis, else in-process memory.",
    )
    token_recheck_seconds: float = Field(
        default=3.0, description="How long a websocket trusts its token before checking again."
    )
    max_subscriptions_per_user: int = Field(
        default=20, description="Open subscriptions one user may hold across websockets."
    )

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url.startswith("memory://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
