"""The secrets a wallet pass carries: the QR token (access's), and Apple's authentication
token (ours).

The authentication token lets a phone register the pass and fetch its new versions. It
is derived (HMAC) from a key of its own, itself derived from SECRET_KEY, over the pass's
serial number and the hash of its current QR token: nothing to store, nothing to guess,
and a regenerated QR code (lost phone) changes it, so the lost phone can no longer fetch
the pass that carries the new code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

from parcauto.access.models import AccessPass

_AUTH_PURPOSE = "parcauto.wallets.apple-authentication"
# Until access.services exposes the clear token, the wallets open the seal the same way
# access makes it (a Fernet key derived from SECRET_KEY).
_SEAL_PURPOSE = "parcauto.access.tokens"


def _seal_cipher() -> MultiFernet:
    keys = []
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        digest = salted_hmac(_SEAL_PURPOSE, "v1", secret=secret, algorithm="sha256").digest()
        keys.append(Fernet(base64.urlsafe_b64encode(digest)))
    return MultiFernet(keys)


def pass_token_seal(token: str) -> str:
    return _seal_cipher().encrypt(token.encode()).decode()


def pass_token(access_pass: AccessPass) -> str:
    """The clear QR token of the pass (kept sealed by access)."""
    try:
        return _seal_cipher().decrypt(access_pass.token_sealed.encode()).decode()
    except InvalidToken:
        raise ValueError(f"pass {access_pass.pk}: no configured key opens its token") from None


def authentication_token(access_pass: AccessPass) -> str:
    """The pass's `authenticationToken` (64 hex characters; Apple wants 16 or more)."""
    return salted_hmac(
        _AUTH_PURPOSE,
        f"{access_pass.serial_number}:{access_pass.token_hash}",
        algorithm="sha256",
    ).hexdigest()


def authentication_digest(token: str) -> str:
    """What a registration keeps of the token it was made with."""
    return hashlib.sha256(token.encode()).hexdigest()


def authentication_matches(access_pass: AccessPass, presented: str) -> bool:
    return hmac.compare_digest(authentication_token(access_pass), presented)
