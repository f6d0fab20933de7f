"""What every HTTP benchmark needs: a throwaway database, the real server, a bounded client.

Load goes to 127.0.0.1 only, every loop is bounded in count or time, and everything
started here is stopped by its own process id (never by name), even on failure.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter as CounterType
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


class BenchError(Exception):
    """A set-up step failed: the message says what to do."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{process.args[0]} exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return
        time.sleep(0.05)
    raise BenchError(f"nothing answered on {LOOPBACK}:{port} after {timeout:.0f} s")


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_recreate(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `server_url`; its URL."""
    try:
        admin = psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {server_url} ({error}).\n"
            "Start it (pg_ctlcluster 15 main start) or pass --pg-url."
        ) from None
    with admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server_url}/{name}"


def pg_drop(server_url: str, name: str) -> None:
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=3) as admin,
    ):
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- processes -----------------------------------------------------------------------------


@contextlib.contextmanager
def running(args: list[str], *, env: dict[str, str], log: Path, port: int) -> Iterator[int]:
    """Start `args`, wait until `port` answers, yield the pid; stop it by pid afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        try:
            wait_for_port(port, timeout=30, process=process)
        except BenchError as error:
            tail = log.read_text(errors="replace")[-2000:]
            raise BenchError(f"{error}\n--- {log.name} ---\n{tail}") from None
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of its workers
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                process.wait(timeout=5)


def redis_command(port: int) -> list[str] | None:
    """A throwaway Redis (no persistence), as production's shared cache; None if absent."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    return [binary, "--bind", LOOPBACK, "--port", str(port), "--save", "", "--appendonly", "no"]


def gunicorn_command(
    *, port: int, workers: int, threads: int, worker_class: str, app: str
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads if worker_class == "gthread" else 1),  # sync with threads is gthread
        "--backlog",
        "2048",
        "--keep-alive",
        "10",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--preload",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
    ]


@contextlib.contextmanager
def sampled(pid: int, *, output: Path, seconds: int) -> Iterator[None]:
    """py-spy samples `pid` and its children (collapsed stacks) while the block runs."""
    binary = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if binary is None:
        raise BenchError("py-spy is not installed: .venv/bin/pip install py-spy")
    args = [binary, "record", "--pid", str(pid), "--subprocesses", "--format", "raw", "--nolineno"]
    args += [
        "--rate",
        "250",
        "--nonblocking",
        "--gil",
        "--duration",
        str(seconds),
        "--output",
        str(output),
    ]
    spy = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    time.sleep(1)  # attached
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


# Where a sample's time goes, by the first of these found in its stack (most specific first).
_CATEGORIES = [
    ("template rendering", ("Template.render",)),
    ("ORM: compiling SQL", ("SQLCompiler.as_sql", "SQLCompiler.pre_sql_setup", "get_select")),
    ("ORM: rows to objects", ("Model.from_db", "ModelIterable.__iter__")),
    ("ORM: building querysets", ("Query.add_q", "Query.build_filter", "QuerySet._chain")),
    ("database driver (psycopg)", ("psycopg/",)),
    ("sessions, signing", ("sessions/", "signing.py")),
]


def profile_summary(collapsed: Path, *, prefix: str, top: int) -> tuple[list, list]:
    """From py-spy's collapsed stacks: (category, %) and (our function, % inclusive)."""
    categories: CounterType[str] = collections.Counter()
    ours: CounterType[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        category = next(
            (name for name, marks in _CATEGORIES if any(mark in stack for mark in marks)),
            "other Python (Django, middleware, views, gunicorn)",
        )
        categories[category] += count
        for frame in set(stack.split(";")):
            if f"({prefix}" in frame:
                ours[frame] += count
    if not total:
        return [], []
    return (
        [(name, 100 * count / total) for name, count in categories.most_common()],
        [(frame, 100 * count / total) for frame, count in ours.most_common(top)],
    )


# --- CPU accounting --------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a live process has used so far; 0 if it is gone."""
    stat = _stat(pid)
    return stat[2] if stat else 0.0


def _postgres_is_ours(pid: int, database: str) -> bool:
    """A backend of `database`, or a shared helper (checkpointer...), not another's backend."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    is_client_backend = "(" in title or "[local]" in title
    return f" {database} " in title or not is_client_backend


@dataclass
class CpuSnapshot:
    per_pid: dict[int, tuple[str, float]]  # pid -> (group, CPU seconds so far)
    client: float
    busy: float
    groups: tuple[str, ...] = ("app server", "PostgreSQL")


def cpu_snapshot(server_pid: int, database: str) -> CpuSnapshot:
    """CPU used so far by the app server (master and workers), our PostgreSQL, this process."""
    return cpu_snapshot_groups({"app server": [server_pid]}, database)


def cpu_snapshot_groups(roots: dict[str, list[int]], database: str) -> CpuSnapshot:
    """CPU used so far by each group of processes (each root and its children), by the
    PostgreSQL processes of `database` (and its shared helpers), and by this process."""
    group_of = {pid: group for group, pids in roots.items() for pid in pids}
    per_pid: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _stat(pid)
        if stat is None:
            continue
        name, parent, seconds = stat
        group = group_of.get(pid) or group_of.get(parent)
        if group:
            per_pid[pid] = (group, seconds)
        elif name == "postgres" and _postgres_is_ours(pid, database):
            per_pid[pid] = ("PostgreSQL", seconds)
    times = os.times()
    busy, _ = _busy_and_total()
    return CpuSnapshot(
        per_pid=per_pid,
        client=times.user + times.system,
        busy=busy / _TICK,
        groups=(*roots, "PostgreSQL"),
    )


def cpu_delta(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """CPU seconds between two snapshots, by group; what the machine did besides, as 'other'.

    A process killed between the two is not counted: what it used shows as "other".
    """
    groups = dict.fromkeys(after.groups, 0.0)
    for pid, (group, seconds) in after.per_pid.items():
        earlier = before.per_pid.get(pid)
        groups[group] += seconds - (earlier[1] if earlier and earlier[0] == group else 0.0)
    groups["load client"] = after.client - before.client
    groups["other processes"] = max(0.0, after.busy - before.busy - sum(groups.values()))
    return groups


def _busy_and_total() -> tuple[int, int]:
    with Path("/proc/stat").open() as stat_file:
        cpu = [int(value) for value in stat_file.readline().split()[1:9]]
    return sum(cpu) - cpu[3] - cpu[4], sum(cpu)


def machine_busy(seconds: float = 1.0) -> float:
    """The fraction of all cores busy over the next `seconds` (0 to 1)."""
    busy, total = _busy_and_total()
    time.sleep(seconds)
    busy_after, total_after = _busy_and_total()
    return (busy_after - busy) / max(1, total_after - total)


def wait_until_quiet(*, threshold: float, patience: float) -> float:
    """Wait (up to `patience` seconds) for other work on the machine to calm down."""
    deadline = time.monotonic() + patience
    busy = machine_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = machine_busy()
    return busy


# --- HTTP client -----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: bytes
    started: float
    finished: float
    error: str = ""

    @property
    def latency(self) -> float:
        return self.finished - self.started


@dataclass
class Client:
    """One keep-alive connection (reopened when the server closes it), for one thread."""

    port: int
    host: str
    base_headers: dict[str, str] = field(default_factory=dict)
    _connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        all_headers = {"Host": self.host, **self.base_headers, **(headers or {})}
        if body:
            all_headers["Content-Length"] = str(len(body))
        started = time.perf_counter()
        try:
            self._connection.request(method, path, body=body or None, headers=all_headers)
            reply = self._connection.getresponse()
            content = reply.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Response(0, "", b"", started, time.perf_counter(), error=repr(error))
        finished = time.perf_counter()
        if reply.will_close:
            self.close()
        return Response(reply.status, reply.getheader("Location", ""), content, started, finished)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def run_threads(count: int, target: Callable[[int], None]) -> None:
    """`count` threads released together by a barrier; returns when all are done."""
    barrier = threading.Barrier(count)

    def body(index: int) -> None:
        barrier.wait()
        target(index)

    threads = [threading.Thread(target=body, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def hammer(
    *, port: int, host: str, path: str, concurrency: int, seconds: float
) -> tuple[int, float, list[float], int]:
    """GET `path` on `concurrency` connections for `seconds`: (200s, elapsed, latencies, others)."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    others = [0] * concurrency
    start = time.perf_counter()
    deadline = start + seconds

    def loop(index: int) -> None:
        client = Client(port=port, host=host)
        while time.perf_counter() < deadline:
            response = client.request("GET", path)
            if response.status == 200:
                latencies[index].append(response.latency)
            else:
                others[index] += 1
        client.close()

    run_threads(concurrency, loop)
    elapsed = time.perf_counter() - start
    flat = [value for chunk in latencies for value in chunk]
    return len(flat), elapsed, flat, sum(others)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile, no interpolation: `fraction` of the values are at most this."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = math.ceil(round(fraction * len(ordered), 6))
    return ordered[min(max(rank, 1), len(ordered)) - 1]
