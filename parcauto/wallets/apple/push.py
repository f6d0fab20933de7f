"""Telling a phone that one of its passes changed: APNs, or the local sandbox.

A Wallet push carries no message: `{"aps": {}}` to the device's push token, with the pass
type id as topic, authenticated by the Pass Type ID certificate itself (not an app's key).
The phone then asks the web service which of its passes changed and fetches them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import ssl
import tempfile
from typing import Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from parcauto.core.clock import now

from ..adapters import Outcome, http_client
from ..credentials import AppleCredentials, apple_credentials
from ..models import SandboxCall

logger = logging.getLogger(__name__)

PUSH_TOKEN = re.compile(r"[0-9a-fA-F]{64,200}")
_PAYLOAD = json.dumps({"aps": {}}).encode()
# APNs answers 400 with one of these, or 410, for a token that will never work again.
_GONE_REASONS = {"BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered"}


class Push(Protocol):
    def send(self, *, push_token: str, topic: str) -> Outcome: ...


class SandboxPush:
    """Records each push in `SandboxCall` (service `apns`) as APNs would receive it; a
    token APNs would refuse (not hexadecimal) is answered as APNs does: gone."""

    @classmethod
    def from_settings(cls) -> SandboxPush:
        return cls()

    def send(self, *, push_token: str, topic: str) -> Outcome:
        if not PUSH_TOKEN.fullmatch(push_token):
            return Outcome.GONE
        SandboxCall.objects.create(
            service=SandboxCall.Service.APNS,
            method="POST",
            target=push_token,
            topic=topic,
            body=json.loads(_PAYLOAD),
            called_at=now(),
        )
        return Outcome.DONE


def _tls_context(credentials: AppleCredentials) -> ssl.SSLContext:
    """TLS with the pass certificate as client certificate. `load_cert_chain` reads files
    only, so the PEMs go through a private temporary file, removed at once."""
    context = ssl.create_default_context()
    descriptor, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(credentials.certificate_pem() + credentials.key_pem())
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    return context


class ApnsPush:
    """APNs' HTTP/2 provider API (`POST /3/device/<token>`), certificate-based."""

    def __init__(
        self,
        *,
        host: str,
        credentials: AppleCredentials,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.host = host
        verify: ssl.SSLContext | bool = _tls_context(credentials) if transport is None else True
        self.client = http_client(timeout=timeout, http2=True, transport=transport, verify=verify)

    @classmethod
    def from_settings(cls) -> ApnsPush:
        credentials = apple_credentials()
        if credentials is None:
            raise ImproperlyConfigured("WALLET_APPLE_PUSH=ApnsPush needs the Apple certificate")
        return cls(
            host=settings.WALLET_APNS_HOST,
            credentials=credentials,
            timeout=settings.WALLET_TIMEOUT_SECONDS,
        )

    def send(self, *, push_token: str, topic: str) -> Outcome:
        if not PUSH_TOKEN.fullmatch(push_token):
            return Outcome.GONE
        try:
            response = self.client.post(
                f"https://{self.host}/3/device/{push_token}",
                content=_PAYLOAD,
                headers={"apns-topic": topic, "apns-priority": "10"},
            )
        except httpx.HTTPError as error:
            logger.warning("APNs push failed: %r", error)
            return Outcome.FAILED
        if response.status_code == 200:
            return Outcome.DONE
        reason = _reason(response)
        if response.status_code == 410 or reason in _GONE_REASONS:
            return Outcome.GONE
        logger.warning("APNs refused a push: %s %s", response.status_code, reason)
        return Outcome.FAILED


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reason", ""))
    except (ValueError, AttributeError):
        return ""
