"""Settings as a fresh process reads them from a given environment (settings.py is read
once per process, so each case needs its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def settings_with(env: dict[str, str], *names: str) -> dict[str, Any]:
    program = "import json, django; django.setup(); from django.conf import settings; "
    program += f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    done = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "parcauto.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result
