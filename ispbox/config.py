"""Settings read from ISPBOX_* environment variables (names relied on by outside tools)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
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
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The signing secret (whsec_…) of the Stripe webhook endpoint at "
        "/stripe/webhook; without it the endpoint refuses every event.",
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
