"""The SMTP sandbox as a fixture (tests/notifications/smtp_sandbox.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.notifications.smtp_sandbox import SmtpSandbox, free_port


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpSandbox]:
    """The sandbox on a free port of 127.0.0.1, as the default mailer."""
    sandbox = SmtpSandbox()
    controller = Controller(sandbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield sandbox
    finally:
        controller.stop()
