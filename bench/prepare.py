"""Build a demo database of N clients once and keep it, for measurements that take it as their
data (`run_throughput --template`, `progress_latency --template`): a million clients take
minutes to generate and import, and the measurements are each repeated.

    .venv/bin/python -m bench.prepare --clients 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from bench.scratch import add_data_date_argument, demo_database, scratch_name


async def prepare(args: argparse.Namespace) -> None:
    name = args.name or scratch_name(f"demo_{args.clients}")
    started = time.perf_counter()
    seconds = await demo_database(name, args.clients, args.data_date)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.clients:,} clients generated and imported in {seconds:.1f} s "
        f"({time.perf_counter() - started:.1f} s with the migration and VACUUM ANALYZE); "
        f"peak RSS of this process {peak_mib:,.0f} MiB; kept database {name}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--name", help="the database's name (default: a new scratch name)")
    add_data_date_argument(parser)
    asyncio.run(prepare(parser.parse_args()))


if __name__ == "__main__":
    main()
