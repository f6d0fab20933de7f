"""The processes of a small production on 127.0.0.1: app nodes, HAProxy, workers, scheduler.

Each is started in a session of its own and stopped by its own process id (never by
name), also on failure or Ctrl-C; killing one on purpose (`kill_group`) kills its
process group only: the gunicorn master and its workers, or one task worker.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness import LOOPBACK, ROOT, BenchError, free_port, gunicorn_command
from bench.harness import running as running_on_port

HAPROXY_PACKAGE = "haproxy"


def haproxy_binary() -> str:
    """HAProxy from Debian: installed here when missing and we are root, as `.ci/run`
    installs its packages; otherwise the command to run."""
    found = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
    )
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError("HAProxy is missing: sudo apt-get install haproxy")
    print("installing HAProxy (apt-get install haproxy)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "haproxy"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return "/usr/sbin/haproxy"


def haproxy_config(
    *, port: int, stats_port: int, nodes: list[int], node_workers: int, host: str
) -> str:
    """A load balancer as production would have one in front of the app nodes.

    Each node gets at most as many requests at once as it has sync workers (the rest
    wait in HAProxy's queue, served in order, rather than in a node's accept queue), is
    checked on /healthz/ every second, and is taken out at its first refused connection
    (`observe layer4`). A request that could not reach a node goes to the other
    (`retry-on conn-failure` + `redispatch`); one a node took and died on is answered 502,
    never sent twice (a POST is not idempotent). TLS ends here in production; the bench
    client sends X-Forwarded-Proto itself.
    """
    servers = "\n".join(
        f"    server node{index} {LOOPBACK}:{node_port} maxconn {node_workers}"
        for index, node_port in enumerate(nodes, start=1)
    )
    return f"""global
    maxconn 4096
    nbthread 1

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    timeout http-keep-alive 10s
    retries 2
    option redispatch 1
    retry-on conn-failure

frontend portals
    bind {LOOPBACK}:{port}
    option forwardfor
    default_backend app_nodes

backend app_nodes
    balance leastconn
    option httpchk
    http-check send meth GET uri /healthz/ ver HTTP/1.1 hdr Host {host}
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down
{servers}

listen stats
    bind {LOOPBACK}:{stats_port}
    stats enable
    stats uri /stats
"""


def haproxy_per_node(stats_port: int) -> dict[str, int]:
    """Requests each node has answered so far (HAProxy's per-server session count)."""
    url = f"http://{LOOPBACK}:{stats_port}/stats;csv"
    with urllib.request.urlopen(url, timeout=5) as answer:
        text = answer.read().decode().lstrip("# ")
    return {
        row["svname"]: int(row["stot"] or 0)
        for row in csv.DictReader(io.StringIO(text))
        if row["pxname"] == "app_nodes" and row["svname"].startswith("node")
    }


@contextlib.contextmanager
def daemon(args: list[str], *, env: dict[str, str], log: Path, ready: str) -> Iterator[int]:
    """Start a process with no port of its own; yield its pid once `ready` is in its log
    (or, with no marker, once it has lived a second)."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + (30 if ready else 1)
        while True:
            alive = process.poll() is None
            if ready and ready in log.read_text(errors="replace"):
                break
            if alive and not ready and time.monotonic() >= deadline:
                break
            if not alive or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise BenchError(
                    f"{' '.join(args[2:4])} did not start:\n--- {log.name} ---\n{tail}"
                )
            time.sleep(0.1)
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # a worker finishes its task first
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def kill_group(pid: int) -> None:
    """SIGKILL a process and the processes of its group (a node: master and workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class Cluster:
    nodes: list[int]  # gunicorn master pids
    node_ports: list[int]
    balancer: int  # HAProxy's pid
    port: int  # HAProxy's
    stats_port: int
    workers: list[int]
    worker_ids: list[str]
    scheduler: int


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def cluster_start(
    stack: contextlib.ExitStack,
    *,
    env: dict[str, str],
    logs: Path,
    node_workers: int,
    host: str,
) -> Cluster:
    """Two app nodes, HAProxy in front, two task workers and one scheduler, each stopped
    when `stack` closes."""
    node_ports, nodes = [], []
    for index in (1, 2):
        port = free_port()
        command = gunicorn_command(
            port=port,
            workers=node_workers,
            threads=1,
            worker_class="sync",
            app="parcauto.wsgi:application",
        )
        nodes.append(
            stack.enter_context(
                running_on_port(command, env=env, log=logs / f"node{index}.log", port=port)
            )
        )
        node_ports.append(port)
    port, stats_port = free_port(), free_port()
    config = logs / "haproxy.cfg"
    config.write_text(
        haproxy_config(
            port=port,
            stats_port=stats_port,
            nodes=node_ports,
            node_workers=node_workers,
            host=host,
        )
    )
    balancer = stack.enter_context(
        running_on_port(
            [haproxy_binary(), "-db", "-f", str(config)],
            env=env,
            log=logs / "haproxy.log",
            port=port,
        )
    )
    workers, worker_ids = [], []
    for index in (1, 2):
        worker_id = f"parcauto-bench-worker{index}"
        worker_ids.append(worker_id)
        command = manage(
            "run_worker",
            "--queue-name",
            "*",
            "--interval",
            "1",
            "--no-reload",
            "--worker-id",
            worker_id,
            "--orphan-check",
            "2",
        )
        workers.append(
            stack.enter_context(
                daemon(command, env=env, log=logs / f"worker{index}.log", ready="Starting worker")
            )
        )
    scheduler = stack.enter_context(
        daemon(manage("run_scheduler"), env=env, log=logs / "scheduler.log", ready="")
    )
    return Cluster(
        nodes=nodes,
        node_ports=node_ports,
        balancer=balancer,
        port=port,
        stats_port=stats_port,
        workers=workers,
        worker_ids=worker_ids,
        scheduler=scheduler,
    )
