"""Keeping a saved Google Wallet object true: the Wallet REST API, or the local sandbox.

`PATCH walletobjects/v1/genericObject/<id>` with the whole object (its state EXPIRED once
the pass is voided). The real implementation signs in as the service account (OAuth 2.0
JWT bearer grant, scope `wallet_object.issuer`) and keeps the access token until it
expires. A 404 means the holder never saved the object: nothing to update.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

import httpx
import jwt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from parcauto.core.clock import now

from ..adapters import Outcome, http_client
from ..credentials import GoogleCredentials, google_credentials
from ..models import SandboxCall

logger = logging.getLogger(__name__)

API = "https://walletobjects.googleapis.com/walletobjects/v1"
SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
_TOKEN_MARGIN = 60  # seconds: a token this close to its end is renewed first


class WalletApi(Protocol):
    def object_patch(self, *, object_id: str, body: dict[str, Any]) -> Outcome: ...


class SandboxWalletApi:
    """Records each PATCH in `SandboxCall` (service `google`) as Google would receive it."""

    @classmethod
    def from_settings(cls) -> SandboxWalletApi:
        return cls()

    def object_patch(self, *, object_id: str, body: dict[str, Any]) -> Outcome:
        if body.get("id") != object_id:  # Google refuses a body naming another object
            return Outcome.FAILED
        SandboxCall.objects.create(
            service=SandboxCall.Service.GOOGLE,
            method="PATCH",
            target=object_id,
            body=body,
            called_at=now(),
        )
        return Outcome.DONE


class WalletRestApi:
    def __init__(
        self,
        *,
        credentials: GoogleCredentials,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.credentials = credentials
        self.client = http_client(timeout=timeout, transport=transport)
        self._token: tuple[str, float] | None = None  # (access token, expires at)

    @classmethod
    def from_settings(cls) -> WalletRestApi:
        credentials = google_credentials()
        if credentials is None:
            raise ImproperlyConfigured("WALLET_GOOGLE_API=WalletRestApi needs a service account")
        return cls(credentials=credentials, timeout=settings.WALLET_TIMEOUT_SECONDS)

    def _assertion(self, at: int) -> str:
        claims = {
            "iss": self.credentials.client_email,
            "scope": SCOPE,
            "aud": self.credentials.token_uri,
            "iat": at,
            "exp": at + 3600,
        }
        return jwt.encode(
            claims,
            self.credentials.private_key,
            algorithm="RS256",
            headers={"kid": self.credentials.private_key_id},
        )

    def _access_token(self) -> str:
        at = time.time()
        if self._token is not None and self._token[1] - _TOKEN_MARGIN > at:
            return self._token[0]
        response = self.client.post(
            self.credentials.token_uri,
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": self._assertion(int(at)),
            },
        )
        response.raise_for_status()
        answer = response.json()
        self._token = (str(answer["access_token"]), at + float(answer.get("expires_in", 3600)))
        return self._token[0]

    def object_patch(self, *, object_id: str, body: dict[str, Any]) -> Outcome:
        try:
            response = self.client.patch(
                f"{API}/genericObject/{object_id}",
                json=body,
                headers={"Authorization": f"Bearer {self._access_token()}"},
            )
        except (httpx.HTTPError, KeyError, ValueError) as error:
            logger.warning("Google Wallet API call failed: %r", error)
            return Outcome.FAILED
        if response.status_code == 200:
            return Outcome.DONE
        if response.status_code == 404:
            return Outcome.GONE
        logger.warning("Google Wallet API refused a PATCH: %s", response.status_code)
        return Outcome.FAILED
