"""The sendable copy of an e-mail that carries a personal link, kept sealed until sent.

Validation and password-reset links are keys to an account. The outbox keeps two copies
of such a message: the one it stores and shows (subject and bodies with every key
replaced by a placeholder), and the one it sends, encrypted here and erased as soon as
the message is sent.

Why a key derived from SECRET_KEY rather than a key of its own: the links themselves are
HMACs of SECRET_KEY (Django's password-reset tokens, allauth's confirmation keys), so
whoever holds SECRET_KEY can mint a reset link without reading the outbox; a separate key
would protect nothing more. What sealing protects against is anyone who reads the
database without SECRET_KEY: a backup, a replica, a SQL console, the back office. Key
rotation follows Django's: SECRET_KEY_FALLBACKS still open what older keys sealed, and a
copy no configured key opens holds links that no longer work anyway.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.html import escape

_PURPOSE = "parcauto.notifications.sealing"


class SealBroken(Exception):
    """No configured key opens this copy (SECRET_KEY changed without a fallback)."""


@dataclass(frozen=True, kw_only=True)
class Sendable:
    subject: str
    body_text: str
    body_html: str
    # Files only the sent copy carries (a pass's QR code is a credential too): each a
    # dict of filename, mimetype, content (base64) and content_id (inline when set).
    attachments: list[dict[str, str]] = field(default_factory=list)


def _cipher() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derived_key(secret)) for secret in secrets])


def _derived_key(secret: str | bytes) -> bytes:
    digest = salted_hmac(_PURPOSE, "v1", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def seal(sendable: Sendable) -> str:
    return _cipher().encrypt(json.dumps(asdict(sendable)).encode()).decode()


def unseal(token: str) -> Sendable:
    try:
        return Sendable(**json.loads(_cipher().decrypt(token.encode())))
    except InvalidToken:
        raise SealBroken from None


def redact(text: str, secrets: list[str], placeholder: str) -> str:
    """`text` with every secret (and its HTML-escaped form) replaced by `placeholder`.

    Longest first, so a link goes as a whole before the key inside it is looked for.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, placeholder).replace(escape(secret), placeholder)
    return text
