"""Cutting a worker's own connections to the shared broker, leaving everyone else's alone.

The worker's connections are found by their local ports (read from /proc for its process group)
and closed by the server: Redis `CLIENT KILL ID`, RabbitMQ `rabbit_networking:close_connection`
through `rabbitmqctl eval`.
"""

from __future__ import annotations

import subprocess

import redis

from tests.reliability.sockets import connections_of_group

REDIS_PORT = 6379
RABBITMQ_PORT = 5672
RABBITMQCTL_TIMEOUT_SECONDS = 30


def cut_redis_connections(redis_url: str, process_group: int) -> int:
    """Close every connection the group holds to Redis; returns how many were closed."""
    ports = {c.local_port for c in connections_of_group(process_group, remote_port=REDIS_PORT)}
    client = redis.Redis.from_url(redis_url)
    try:
        ids = [
            entry["id"]
            for entry in client.client_list()
            if int(entry["addr"].rsplit(":", 1)[1]) in ports
        ]
        return sum(bool(client.client_kill_filter(_id=client_id)) for client_id in ids)
    finally:
        client.close()


def cut_rabbitmq_connections(process_group: int) -> int:
    """Close every connection the group holds to RabbitMQ; returns how many were closed."""
    ports = sorted(
        c.local_port for c in connections_of_group(process_group, remote_port=RABBITMQ_PORT)
    )
    if not ports:
        return 0
    # One call for all of them: each rabbitmqctl start costs about half a second.
    closed = _rabbitmqctl(
        "eval",
        '[rabbit_networking:close_connection(Pid, "reliability test: connection cut") '
        "|| [{pid, Pid}, {peer_port, Port}] "
        "<- rabbit_networking:connection_info_all([pid, peer_port]), "
        f"lists:member(Port, [{', '.join(map(str, ports))}])].",
    )
    return closed.count("ok")


def _rabbitmqctl(*args: str) -> str:
    return subprocess.run(
        ["rabbitmqctl", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=RABBITMQCTL_TIMEOUT_SECONDS,
    ).stdout
