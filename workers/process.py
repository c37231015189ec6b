"""Where a process that runs or sends jobs starts: the broker built from the settings and made
current, then the actors declared on it.

Dramatiq binds an actor to the broker that is current when the actor's module is imported, so
the modules holding actors (`workers.actors`, `runs`, `delivery`, and `embedded` and `scheduler`
which queue through them) are imported only after `start_actors`.
"""

from __future__ import annotations

import dramatiq

from ispbox.config import Settings, get_settings
from workers.broker import build_broker
from workers.queues import queue_name

_broker: dramatiq.Broker | None = None
_settings: Settings | None = None


def process_broker(settings: Settings) -> dramatiq.Broker:
    """This process's broker: built from the settings and made current on the first call, the
    same one on later calls."""
    global _broker
    if _broker is None:
        _broker = build_broker(settings)
        dramatiq.set_broker(_broker)
    return _broker


def sending_broker(settings: Settings) -> dramatiq.Broker:
    """The broker an API process sends jobs on: the process's own where the workers run inside
    it (the embedded broker), else a connection of its own to the outside broker."""
    return process_broker(settings) if settings.embedded_broker else build_broker(settings)


def start_actors(settings: Settings) -> dramatiq.Broker:
    """Make this process's broker current, give the actors these settings and declare them."""
    global _settings
    broker = process_broker(settings)
    _settings = settings
    import workers.actors  # noqa: F401  (declares every actor, on the broker made current above)

    return broker


def start_worker_process() -> None:
    """Called by Dramatiq in each of `ispbox worker`'s processes, before it starts working."""
    start_actors(get_settings())


def actor_settings() -> Settings:
    """The settings the actors of this process run with."""
    if _settings is None:
        raise RuntimeError("actors are declared by workers.process.start_actors(settings) only")
    return _settings


def queue(name: str) -> str:
    """The broker queue of a kind of job, under the prefix of this process's settings."""
    return queue_name(name, actor_settings().queue_prefix)
