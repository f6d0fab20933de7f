"""What the two request-path shortcuts save, measured in pairs in one process.

`.venv/bin/python -m bench.request_path` (needs `redis-server` on 127.0.0.1:6379 for the
second figure; no database: the first builds and compiles SQL only).

1. The staff-role flag every signed-in request loads (`accounts.backends`): the ORM's
   `Exists(StaffRole...)` it uses against a hand-written `EXISTS` (RawSQL, as it was until
   the saving was measured at ~2 % of a sale and taken back), built and compiled as each
   request does; the SQL the database runs is the same.
2. One cache get through Django's Redis backend against `core.cache.RedisCache`, which
   reuses its `redis.Redis` instead of building one per call.

Each side runs in alternating rounds, so both see the same machine; the medians are
printed in microseconds of CPU per call, with the saving as a share of a sale's CPU
(`bench.profile_submit`'s figure, given with --sale-ms).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
from collections.abc import Callable


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def paired(sides: dict[str, Callable[[], object]], *, calls: int, rounds: int) -> dict[str, float]:
    """Median CPU microseconds per call of each side, rounds interleaved."""
    for run in sides.values():
        run()  # warm: imports, caches
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, run in sides.items():
            started = _cpu()
            for _ in range(calls):
                run()
            samples[name].append((_cpu() - started) / calls * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--sale-ms", type=float, default=11.0, help="CPU of one sale, ms")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcauto.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")  # measures code, not a deployment
    import django

    django.setup()
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from parcauto.accounts import backends
    from parcauto.accounts.backends import _has_staff_role as exists
    from parcauto.accounts.models import StaffRole, User
    from parcauto.core.cache import RedisCache

    def user_query(flag: Callable[[], object]) -> Callable[[], object]:
        def build() -> object:
            users = User._default_manager.select_related("profile").annotate(
                **{backends.HAS_STAFF_ROLE: flag()}
            )
            return users.filter(pk=1).query.get_compiler(using="default").as_sql()

        return build

    roles, users = StaffRole._meta.db_table, User._meta.db_table
    raw = RawSQL(  # noqa: S611 - table names only
        f"EXISTS (SELECT 1 FROM {roles} WHERE {roles}.user_id = {users}.id)",
        (),
        output_field=BooleanField(),
    )
    flag = paired(
        {"hand-written EXISTS": user_query(lambda: raw), "ORM Exists()": user_query(exists)},
        calls=1000,
        rounds=args.rounds,
    )
    _report("staff-role flag, per signed-in request", flag, args.sale_ms)

    caches = {"core.cache.RedisCache": RedisCache(args.redis, {})}
    caches["Django's RedisCache"] = DjangoRedisCache(args.redis, {})
    for cache in caches.values():
        cache.set("bench", "x" * 200, 60)
    cache_get = paired(
        {name: (lambda cache=cache: cache.get("bench")) for name, cache in caches.items()},
        calls=4000,
        rounds=args.rounds,
    )
    _report("one Redis cache get", cache_get, args.sale_ms)
    return 0


def _report(what: str, medians: dict[str, float], sale_ms: float) -> None:
    (fast_name, fast), (slow_name, slow) = sorted(medians.items(), key=lambda item: item[1])
    saved = slow - fast
    print(f"{what}:")
    print(f"  {fast_name:24} {fast:7.0f} µs CPU")
    print(f"  {slow_name:24} {slow:7.0f} µs CPU ({slow / fast:.2f}x)")
    print(f"  saved {saved:.0f} µs a call, {saved / (sale_ms * 1000):.1%} of a {sale_ms} ms sale")


if __name__ == "__main__":
    raise SystemExit(main())
