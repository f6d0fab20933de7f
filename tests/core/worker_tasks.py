"""Tasks for the worker tests: one that waits for a file, one that counts its runs."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task()
def wait_then_mark(*, directory: str) -> str:
    """Leave `started-<n>`, wait until `release` exists (at most 60 s), leave `done`."""
    folder = Path(directory)
    runs = len(list(folder.glob("started-*")))
    (folder / f"started-{runs + 1}").touch()
    deadline = time.monotonic() + 60
    while not (folder / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (folder / "done").touch()
    return "done"
