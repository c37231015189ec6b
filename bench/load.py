"""Load on one GraphQL query over HTTP from N concurrent connections: wrk where installed (it
costs the machine little), else an httpx client; latency percentiles and requests per second."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class LatencyFigures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def graphql_body(query: str, variables: dict[str, object] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


def check_answer(url: str, token: str, body: str) -> dict:
    """The query's data, once, so that load is never measured on error answers."""
    response = httpx.post(
        url,
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        timeout=60,
    )
    payload = response.json()
    if response.status_code != 200 or payload.get("errors"):
        raise RuntimeError(f"the API answered {response.status_code}: {payload}")
    return payload["data"]


def measure(url: str, token: str, body: str, *, connections: int, seconds: float) -> LatencyFigures:
    if shutil.which("wrk"):
        return _measure_with_wrk(url, token, body, connections, seconds)
    return asyncio.run(_measure_with_httpx(url, token, body, connections, seconds))


def _measure_with_wrk(
    url: str, token: str, body: str, connections: int, seconds: float
) -> LatencyFigures:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "query.lua"
        script.write_text(WRK_SCRIPT.replace("{body}", body).replace("{token}", token))
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s"]
        output = subprocess.run(
            [*command, "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    fields = next(line for line in output.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, duration_us, p50, p95, p99, errors = (int(field) for field in fields)
    return LatencyFigures(
        requests, duration_us / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, errors, "wrk"
    )


async def _measure_with_httpx(
    url: str, token: str, body: str, connections: int, seconds: float
) -> LatencyFigures:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30) as http:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await http.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LatencyFigures(
        len(latencies),
        elapsed,
        percentile(latencies, 50) * 1000,
        percentile(latencies, 95) * 1000,
        percentile(latencies, 99) * 1000,
        errors,
        "httpx",
    )


def percentile(ordered: list[float], rank: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * rank / 100))]
