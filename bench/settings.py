"""Production settings with plain (unhashed) static file names, for benchmarks only.

Used by bench/rush.py only when `collectstatic` fails with the production storage (it
did on 2026-11-25: the vendored bootstrap.bundle.min.js names a source map that is not
vendored). Hashed or plain names cost the same per request; everything else is as served.
"""

from parcauto.settings import *  # noqa: F403
from parcauto.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
