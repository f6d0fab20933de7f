"""The settings of the test suite: development's (DEBUG on when the settings are read, so
the derived development keys and the sandbox gateway are there), as `make test` sets.

pytest-django still turns `settings.DEBUG` off while the tests run, so each request is
served as production serves it; a test that needs DEBUG's pages sets it.
"""

import os

# Set before parcauto.settings reads it, and inherited by the processes tests start.
os.environ["DJANGO_DEBUG"] = "true"

from parcauto.settings import *  # noqa: F403

# /metrics is on, so that the authorization matrix sees it refuse every session.
PARCAUTO_METRICS_TOKEN = "test-metrics-token-0123456789abcdef"
