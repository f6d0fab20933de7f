"""The pass token: random, shown in the QR code, stored hashed and sealed.

A gate finds a pass by the token's SHA-256 (an index look-up: a 192-bit random token
needs no salt nor slow hash, nobody can try enough of them). The holder sees the token
again each time the pass page opens, so a copy is kept sealed (Fernet): whoever reads
the database (a backup, a replica, the back office) learns neither the token nor how to
open anything.

Keys: `PARCAUTO_PASS_TOKEN_KEYS`, Fernet keys newest first (the first seals, any opens,
as for bank accounts); when it is empty, a key derived from SECRET_KEY (and one from each
of SECRET_KEY_FALLBACKS) stands in, as for the outbox's sealed copies. A token no key
opens any more is not lost for the gate (the hash still works): the pass page says so
and "Régénérer mon code" issues a new one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

# 24 random bytes: 192 bits, 32 URL-safe characters in the QR code.
TOKEN_BYTES = 24
TOKEN_LENGTH = 32
_PURPOSE = "parcauto.access.tokens"


class TokenUnreadable(Exception):
    """No configured key opens this sealed token (the keys were changed)."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    hash: str
    sealed: str


def token_hash(token: str) -> str:
    """The SHA-256 (hex) gates look a token up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derived_key(secret: str | bytes) -> bytes:
    digest = salted_hmac(_PURPOSE, "v1", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _cipher(keys: tuple[str, ...], secret_keys: tuple[str | bytes, ...]) -> MultiFernet:
    if not keys:
        return MultiFernet([Fernet(_derived_key(secret)) for secret in secret_keys])
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"PARCAUTO_PASS_TOKEN_KEYS holds an invalid key: {error}"
        ) from None


def _current_cipher() -> MultiFernet:
    return _cipher(
        tuple(settings.PARCAUTO_PASS_TOKEN_KEYS),
        (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS),
    )


def token_issue() -> IssuedToken:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return IssuedToken(
        token=token,
        hash=token_hash(token),
        sealed=_current_cipher().encrypt(token.encode()).decode(),
    )


def token_unseal(sealed: str) -> str:
    try:
        return _current_cipher().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable from None
