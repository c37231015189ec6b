"""Settings read from ISPBOX_* environment variables (names relied on by outside tools)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from billing.delivery.email import EmailSettings

# HMAC-SHA256 keys shorter than its block are guessable long before the hash is.
MIN_SECRET_KEY_BYTES = 32
# Placeholders copied from examples: as good as no key at all.
KNOWN_PLACEHOLDER_KEYS = frozenset({"change-me-in-production", "changeme", "secret"})


# The dashboard's client billing page (dashboard/pages/client_billing.py reads `client_id`).
DEFAULT_CLIENT_BILLING_URL = "{dashboard_url}/client_billing?client_id={id}"


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
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Signs preview links, keys the stored API token hashes and encrypts mailbox "
            f"passwords; production needs a random value of at least {MIN_SECRET_KEY_BYTES} "
            "bytes, development makes one per process when unset."
        ),
    )
    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    public_url: str | None = Field(
        default=None,
        description=(
            "Where browsers reach the API. Links in emails use it; links in API answers use it "
            "too, or, when unset, the address the request came to."
        ),
    )
    dashboard_url: str = Field(
        default="http://127.0.0.1:8501",
        description="Where browsers reach the dashboard (client billing links).",
    )
    client_billing_url: str = Field(
        default=DEFAULT_CLIENT_BILLING_URL,
        description="The dashboard page of one client's billing (a client's billingUrl): "
        "{dashboard_url} and {id} (the client's id) are filled in.",
    )
    preview_link_ttl_seconds: int = 7 * 24 * 3600
    # Schema introspection and "did you mean" suggestions: on in development, off in
    # production unless set.
    graphql_introspection: bool | None = None
    run_chunk_size: int = 1000
    # Clients per chunk of the daily collections pass.
    collections_chunk_size: int = 1000
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
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The signing secret (whsec_…) of the Stripe webhook endpoint at "
        "/stripe/webhook; without it the endpoint refuses every event.",
    )

    @field_validator("public_url")
    @classmethod
    def _unset_when_empty(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("client_billing_url")
    @classmethod
    def _fillable_template(cls, value: str) -> str:
        try:
            value.format(dashboard_url="", id=0)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                "must be a URL in which only {dashboard_url} and {id} are filled in "
                f"(problem: {error})"
            ) from error
        return value

    @model_validator(mode="after")
    def _development_key(self) -> Settings:
        """Development without a key makes one for this process."""
        if self.is_development and not self.secret_key:
            self.secret_key = SecretStr(secrets.token_urlsafe(MIN_SECRET_KEY_BYTES))
        return self

    @property
    def secret_key_problem(self) -> str | None:
        """Why the secret key can't be used here, in one sentence; None when it can."""
        if self.is_development:
            return None
        return secret_key_problem(self.secret_key.get_secret_value() if self.secret_key else "")

    def check_ready_to_start(self) -> None:
        """Raises SettingsError where the API, a worker or the scheduler must not start."""
        problem = self.secret_key_problem
        if problem:
            raise SettingsError(problem)

    @property
    def signing_key(self) -> str:
        """The secret key's value; SettingsError where production has no usable one, so nothing
        is ever signed, hashed or encrypted with a guessable key."""
        self.check_ready_to_start()
        assert self.secret_key is not None
        return self.secret_key.get_secret_value()

    def client_billing_link(self, client_id: int) -> str:
        """Where browsers open the dashboard's billing page of this client."""
        return self.client_billing_url.format(
            dashboard_url=self.dashboard_url.rstrip("/"), id=client_id
        )

    def email_settings(self) -> EmailSettings:
        """What emailing invoices needs of these settings (links in emails point to the
        configured public address)."""
        # Imported here: reading the settings loads no billing code.
        from billing.delivery.email import EmailSettings

        return EmailSettings(
            secret_key=self.signing_key,
            public_url=self.fallback_public_url,
            preview_link_ttl_seconds=self.preview_link_ttl_seconds,
        )

    @property
    def introspection_enabled(self) -> bool:
        if self.graphql_introspection is None:
            return self.is_development
        return self.graphql_introspection

    @property
    def fallback_public_url(self) -> str:
        """Where links made without a request (emails) point."""
        return self.public_url or DEFAULT_PUBLIC_URL

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url.startswith("memory://")


class SettingsError(Exception):
    """The settings can't run the product; the message says which and what to do."""


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
KEY_ADVICE = (
    "set it to a random value, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
)


def secret_key_problem(key: str) -> str | None:
    """Why the key can't sign links in production, in one sentence; None when it can."""
    if not key:
        return f"ISPBOX_SECRET_KEY is not set: production needs one; {KEY_ADVICE}."
    if key in KNOWN_PLACEHOLDER_KEYS:
        return f"ISPBOX_SECRET_KEY is a published placeholder; {KEY_ADVICE}."
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return (
            f"ISPBOX_SECRET_KEY is too short ({len(key.encode())} bytes, at least "
            f"{MIN_SECRET_KEY_BYTES} needed); {KEY_ADVICE}."
        )
    return None


def settings_problem(error: ValidationError) -> str:
    """A settings error as one line a person can act on."""
    problems = []
    for detail in error.errors():
        message = str(detail["msg"]).removeprefix("Value error, ")
        location = ".".join(str(part) for part in detail.get("loc", ()))
        name = f"ISPBOX_{location.upper()}: " if location else ""
        problems.append(f"{name}{message}")
    return "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    return Settings()
