"""Where a plate check's CPU goes: its queries, its CPU beside `/healthz/`'s, a profile.

`.venv/bin/python -m bench.profile_checks [--misreads]` on the data `bench.enforcement
--keep-db` left (1,000,000 plates; it is kept), in this process, without a server or
concurrency, through the whole Django stack (test client: middleware, view, service),
production settings (`DEBUG` off), Redis as the shared cache when `redis-server` is on
the PATH. What it prints is `bench.profile_decision`'s: one check's queries, the CPU per
request of checks and of `GET /healthz/` in alternating rounds and their ratio, and with
--cprofile N or --spy FILE where the CPU goes.
"""

from __future__ import annotations

import argparse
import sys

from bench.device_api import site
from bench.enforcement import CHECKS, HOST, Reads, prepared
from bench.harness import ROOT, BenchError
from bench.profile_decision import device_profile, profile_options


def run(args: argparse.Namespace) -> None:
    with site(pg_url=args.pg_url, database=args.database, host=HOST, fresh=False):
        setup = prepared(devices=1)
        reads = Reads(setup, tag="profile", fuzzy=args.misreads, batch=args.batch, seed="profile")
        device_profile(
            args, host=HOST, key=setup.keys[0], path=CHECKS, body=reads.body, what="check"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misreads", action="store_true", help="reads to search look-alikes of")
    parser.add_argument("--batch", type=int, default=1, help="reads a request (1 to 100)")
    profile_options(parser)
    parser.add_argument("--database", default="parcauto_bench_enforcement")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    try:
        run(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
