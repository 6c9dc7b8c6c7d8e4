"""make bench: every benchmark, each printing ratios measured side by side in this run."""

from __future__ import annotations

import os
import platform
import sys

from bench import (
    accounts,
    beyond,
    bookings,
    events,
    outbox,
    ratelimit,
    request_path,
    scaling,
    search,
    tokens,
)

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))

if __name__ == "__main__":
    python = sys.version.split()[0]
    print(f"slotbase benchmarks on {platform.node()}: {os.cpu_count()} cores, Python {python}")
    print("client, API and PostgreSQL share the cores; figures are ratios within this run\n")
    accounts.main(SECONDS)
    print()
    request_path.main(SECONDS)
    print()
    tokens.main(SECONDS)
    print()
    bookings.main(SECONDS)
    print()
    beyond.main(SECONDS)
    print()
    outbox.main(SECONDS)
    print()
    search.main(SECONDS)
    print()
    events.main(SECONDS)
    print()
    ratelimit.main(SECONDS)
    print()
    scaling.main(SECONDS)
