"""The product's own processes for a benchmark: `ispbox serve` and `ispbox worker`, each in a
process group of its own so that stopping one stops all it started, and their peak memory."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from ispbox.stack import NotHealthy, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("ISPBOX_BENCH_REDIS", "redis://127.0.0.1:6379/0")
LOG_DIR = Path(os.environ.get("ISPBOX_BENCH_LOGS", "/tmp/ispbox-bench-logs"))


def product_env(database_url: str, queue_prefix: str, **settings: str) -> dict[str, str]:
    """Environment of a product process: this checkout's code, the scratch database, Redis."""
    return {
        **os.environ,
        # The checkout's code, whatever the virtualenv's own install points to.
        "PYTHONPATH": str(ROOT),
        "ISPBOX_DATABASE_URL": database_url,
        "ISPBOX_BROKER_URL": REDIS_URL,
        "ISPBOX_QUEUE_PREFIX": queue_prefix,
        **{f"ISPBOX_{key.upper()}": value for key, value in settings.items()},
    }


def new_queue_prefix() -> str:
    return f"bench{uuid.uuid4().hex[:10]}."


class ProductProcess:
    """`python -m ispbox.cli ARGS` started in the checkout, its output in a log file."""

    def __init__(
        self, args: list[str], env: dict[str, str], name: str, *, dramatiq: bool = False
    ) -> None:
        self.dramatiq = dramatiq
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ispbox.cli", *args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.log_text().count(text) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.log_path} never said {text!r}:\n{self.log_text()}")
            time.sleep(0.1)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the process that supervises the others, which passes it on once (a Dramatiq
        worker process signalled twice exits without stopping its threads and never ends);
        whatever is left after `timeout` is killed."""
        target = _dramatiq_main(self.process.pid) if self.dramatiq else self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _group_alive(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def api_server(
    env: dict[str, str], port: int, workers: int = 1, *, access_log: bool = True
) -> Iterator[ProductProcess]:
    """`ispbox serve` on `port`, up and healthy."""
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    if not access_log:
        args.append("--no-access-log")
    server = ProductProcess(args, env, f"serve-{port}")
    try:
        wait_for_health(port, server)
        yield server
    finally:
        server.stop()


@contextmanager
def worker_processes(
    env: dict[str, str], processes: int, threads: int, queues: tuple[str, ...] = ()
) -> Iterator[ProductProcess]:
    """`ispbox worker` with `processes` worker processes, every one ready for messages."""
    args = ["worker", "--processes", str(processes), "--threads", str(threads)]
    if queues:
        args += ["--queues", *queues]
    worker = ProductProcess(args, env, f"worker-{processes}", dramatiq=True)
    try:
        worker.wait_for_log("is ready for action", count=processes)
        yield worker
    finally:
        worker.stop()


def wait_for_health(port: int, server: ProductProcess, timeout: float = 60) -> None:
    url = f"http://127.0.0.1:{port}/health"
    try:
        wait_until_healthy(url, timeout=timeout, process=server.process)
    except NotHealthy as reason:
        raise RuntimeError(f"ispbox serve {reason}:\n{server.log_text()}") from None


def forget_queues(prefix: str) -> None:
    """Delete the benchmark's queues (and the follow-up jobs left in them) from Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(f"dramatiq:{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _process_table() -> dict[int, tuple[int, int]]:
    """Each live process's (parent, process group), read from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table


def children(pid: int) -> list[int]:
    return [child for child, (parent, _) in _process_table().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    table = _process_table()
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for child, (its_parent, _) in table.items():
            if its_parent == parent:
                found.append(child)
                pending.append(child)
    return found


def _dramatiq_main(pid: int) -> int:
    """Dramatiq's main process under `ispbox worker`: the command itself where it became
    Dramatiq, else the child it waits on."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    if b"dramatiq" in command:
        return pid
    return next(iter(children(pid)), pid)


def _group_alive(group: int) -> bool:
    return any(its_group == group for _, its_group in _process_table().values())


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MiB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
