"""What the device-API benchmarks share (bench/access.py, bench/enforcement.py).

A throwaway database with this process's Django on it, gunicorn as production runs it,
the `/healthz/` baseline, and two kinds of load from device connections, each with its
own key: a steady rate where every request is sent at its scheduled time and its latency
counted from that time (a server falling behind shows: no coordinated omission), and as
many requests as the connections get through.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.harness import (
    ROOT,
    Client,
    CpuSnapshot,
    cpu_delta,
    free_port,
    gunicorn_command,
    hammer,
    percentile,
    pg_recreate,
    redis_command,
    run_threads,
)
from bench.harness import running as running_process
from bench.rush import collect_static
from bench.rush import server_environment as rush_environment

BASELINE_PATH = "/healthz/"
CORES = os.cpu_count() or 1
# Before measuring, wait for the machine to be under this busy (it is shared).
SHARED_MACHINE = 0.10


def api_environment(
    *, host: str, database_url: str, var_dir: Path, redis_url: str
) -> dict[str, str]:
    """bench/rush.py's production settings (and what its start-up checks ask for), on
    `host`, with a device rate the load stays under: a run spreads its load over a few
    devices, each far busier than a real one. The throttle still counts every request."""
    env = rush_environment(database_url=database_url, var_dir=var_dir, redis_url=redis_url)
    env.pop("PARCAUTO_RATE_LIMIT_PAYMENT_SUBMIT", None)  # the rush's, not ours
    env.update(
        DJANGO_ALLOWED_HOSTS=f"{host},127.0.0.1,localhost",
        PARCAUTO_API_DEVICE_RATE="1000000/m/device",
    )
    return env


# --- the site: database, cache, Django, gunicorn ---------------------------------------------


@dataclass
class Site:
    env: dict[str, str]
    var_dir: Path
    stack: contextlib.ExitStack
    cache: str  # "redis" or "database"

    def serve(self, *, workers: int) -> tuple[int, int]:
        """gunicorn (sync, `workers`) on a free port of 127.0.0.1 until the site closes:
        (port, master pid)."""
        port = free_port()
        command = gunicorn_command(
            port=port,
            workers=workers,
            threads=1,
            worker_class="sync",
            app="parcauto.wsgi:application",
        )
        pid = self.stack.enter_context(
            running_process(command, env=self.env, log=self.var_dir / "gunicorn.log", port=port)
        )
        return port, pid


@contextlib.contextmanager
def site(*, pg_url: str, database: str, host: str, fresh: bool = True) -> Iterator[Site]:
    """Database `database` made afresh (or kept as it is: `fresh` false) and migrated,
    static files collected, a throwaway Redis as the shared cache (the database's cache
    table without `redis-server`), and this process's Django set up on it all. Everything
    started is stopped, also on failure."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"parcauto-{database}-"))
    static_root = ROOT / "staticfiles"  # settings.STATIC_ROOT, filled by collectstatic
    static_existed = static_root.exists()
    # Run again on kept data: the static files too, when a run left them (a minute of CPU).
    keep_static = not fresh and (static_root / "staticfiles.json").exists()
    try:
        database_url = pg_recreate(pg_url, database) if fresh else f"{pg_url}/{database}"
        redis_port = free_port()
        redis = redis_command(redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0" if redis else ""
        env = api_environment(
            host=host, database_url=database_url, var_dir=var_dir, redis_url=redis_url
        )
        if not keep_static:
            collect_static(env)
        os.environ.update(env)
        with contextlib.ExitStack() as stack:
            if redis:
                stack.enter_context(
                    running_process(redis, env=env, log=var_dir / "redis.log", port=redis_port)
                )
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            call_command("createcachetable", verbosity=0)
            yield Site(env, var_dir, stack, "redis" if redis else "database")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if not static_existed and fresh:  # leave the work tree as found
            shutil.rmtree(static_root, ignore_errors=True)


# --- load ------------------------------------------------------------------------------------


class Source(Protocol):
    """Where one connection's requests come from, and what it makes of their answers."""

    def body(self) -> bytes: ...

    def outcomes(self, status: int, answer: bytes) -> list[str]:
        """Labels to count for this answer (e.g. one per decision or check)."""
        ...


@dataclass(frozen=True)
class Target:
    """An endpoint under load: its path, the devices' keys (connection i uses key i mod n),
    and one request source per connection (`sources(i)`)."""

    port: int
    host: str
    path: str
    keys: list[str]
    sources: Callable[[int], Source]

    def client(self, index: int) -> Client:
        key = self.keys[index % len(self.keys)]
        return Client(
            port=self.port, host=self.host, base_headers={"Authorization": f"Bearer {key}"}
        )


@dataclass
class Load:
    """What one phase sent and got."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    late: int = 0  # requests the client itself sent more than 5 ms after their time
    seconds: float = 0.0  # from the first request sent to the last answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, latency: float, outcomes: list[str], late: bool) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] += 1
            self.outcomes.update(outcomes)
            self.late += late

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def _send(
    client: Client,
    target: Target,
    source: Source,
    body: bytes,
    load: Load,
    *,
    since: float,
    late: bool,
) -> None:
    response = client.request(
        "POST", target.path, body=body, headers={"Content-Type": "application/json"}
    )
    load.add(
        response.status,
        response.finished - since,
        source.outcomes(response.status, response.body),
        late,
    )


def steady(target: Target, *, rate: float, seconds: float, connections: int) -> Load:
    """`rate` requests a second for `seconds`, each sent at its time by whichever of the
    `connections` is free; latency counted from that time."""
    load, total = Load(), int(rate * seconds)
    next_slot, slot_lock = [0], threading.Lock()
    start = time.perf_counter() + 0.2

    def device(index: int) -> None:
        client, source = target.client(index), target.sources(index)
        while True:
            with slot_lock:
                slot = next_slot[0]
                next_slot[0] += 1
            if slot >= total:
                break
            due = start + slot / rate
            body = source.body()
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            late = time.perf_counter() - due > 0.005
            _send(client, target, source, body, load, since=due, late=late)
        client.close()

    run_threads(connections, device)
    load.seconds = time.perf_counter() - start
    return load


def saturate(target: Target, *, seconds: float, connections: int) -> Load:
    """As many requests as `connections` get through in `seconds`."""
    load = Load()
    began = time.perf_counter()
    deadline = began + seconds

    def device(index: int) -> None:
        client, source = target.client(index), target.sources(1000 + index)
        while time.perf_counter() < deadline:
            body = source.body()
            _send(client, target, source, body, load, since=time.perf_counter(), late=False)
        client.close()

    run_threads(connections, device)
    load.seconds = time.perf_counter() - began
    return load


@dataclass
class Baseline:
    rate: float
    latencies: list[float]
    others: int  # answers other than 200

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def baseline(*, port: int, host: str, connections: int, seconds: float) -> Baseline:
    """`GET /healthz/` (no query of its own, the same middleware) as fast as answered."""
    count, elapsed, latencies, others = hammer(
        port=port, host=host, path=BASELINE_PATH, concurrency=connections, seconds=seconds
    )
    return Baseline(count / elapsed, latencies, others)


@dataclass
class Paired:
    """The maximum and `/healthz/` measured in alternating rounds, each ratio from a pair
    taken within the same few seconds."""

    baselines: list[Baseline]
    loads: list[Load]
    cpu: dict[str, float]  # of the maximum's rounds only, summed

    @property
    def ratios(self) -> list[float]:
        return [
            load.rate / base.rate for base, load in zip(self.baselines, self.loads, strict=True)
        ]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def load(self) -> Load:
        """The maximum's rounds as one load (latencies, answers, time)."""
        merged = Load()
        for load in self.loads:
            merged.latencies += load.latencies
            merged.statuses.update(load.statuses)
            merged.outcomes.update(load.outcomes)
            merged.seconds += load.seconds
        return merged


def paired_maximum(
    target: Target,
    *,
    connections: int,
    rounds: int,
    seconds: float,
    snapshot: Callable[[], CpuSnapshot],
) -> Paired:
    """`rounds` of `/healthz/` for 3 s then the maximum for `seconds`. A shared machine's
    speed drifts between minutes (`/healthz/` gave 2,064 to 2,739/s in four runs of one
    hour here), so a baseline taken once, half a minute away from the maximum, moved the
    ratio by as much; the median of paired rounds moves far less."""
    baselines, loads, cpu = [], [], {}
    for _ in range(rounds):
        baselines.append(
            baseline(port=target.port, host=target.host, connections=connections, seconds=3)
        )
        before = snapshot()
        loads.append(saturate(target, seconds=seconds, connections=connections))
        for group, used in cpu_delta(before, snapshot()).items():
            cpu[group] = cpu.get(group, 0.0) + used
    return Paired(baselines, loads, cpu)


def cpu_line(cpu: dict[str, float], requests: int) -> str:
    """CPU per request of the app server and PostgreSQL, and what else ran meanwhile."""
    app, pg, count = cpu["app server"], cpu["PostgreSQL"], max(1, requests)
    return (
        f"{(app + pg) / count * 1000:.2f} ms (app {app / count * 1000:.2f} + PostgreSQL "
        f"{pg / count * 1000:.2f}); client {cpu['load client']:.1f} s, "
        f"other processes {cpu['other processes']:.1f} s"
    )
