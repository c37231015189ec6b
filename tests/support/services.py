"""Reaching the machine's services; under CI an unreachable one fails the test, never skips it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get("ISPBOX_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("ISPBOX_TEST_REDIS", "redis://127.0.0.1:6379/13")
RABBITMQ_URL = os.environ.get("ISPBOX_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/")


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip a test whose service is down, except under CI, where that is a failure."""
    if port_open(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if under_ci():
        pytest.fail(f"{message} (CI must run every service test)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STARTUP_SECONDS = 10.0


def start_service(
    command: list[str], *, host: str, port: int, log_path: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a service process logging to a file, and wait until it listens on the port."""
    with log_path.open("wb") as log:
        # The child keeps its own copy of the log's descriptor; a pipe could fill up and stall it.
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{command[:3]} exited with {process.returncode}: {log_path.read_text()}")
        if port_open(host, port):
            return process
        time.sleep(0.05)
    stop_process(process)
    pytest.fail(f"{command[:3]} did not listen on {host}:{port} within {STARTUP_SECONDS} s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
