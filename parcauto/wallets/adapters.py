"""What the adapters of Apple's and Google's services share: the outcome of a call, the
factory named by a setting, and the HTTP client of the real implementations."""

from __future__ import annotations

import enum
from typing import Any

import httpx
from django.utils.module_loading import import_string


class Outcome(enum.StrEnum):
    DONE = "done"  # delivered (APNs 200) or updated (Google 200)
    GONE = "gone"  # the device token or the object is not there (forget it / never saved)
    FAILED = "failed"  # try again with the next change


def adapter_from_setting(path: str) -> Any:
    """The adapter a setting names: a class with a `from_settings()` factory."""
    return import_string(path).from_settings()


def http_client(
    *,
    timeout: float,
    http2: bool = False,
    transport: httpx.BaseTransport | None = None,
    **more: Any,
) -> httpx.Client:
    """A client of a real service; tests give a transport that answers as the service does."""
    return httpx.Client(timeout=timeout, http2=http2, transport=transport, **more)
