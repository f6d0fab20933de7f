"""Apple's authentication token of a pass (the QR token is access's).

The token lets a phone register the pass and fetch its new versions. It
is derived (HMAC) from a key of its own, itself derived from SECRET_KEY, over the pass's
serial number and the hash of its current QR token: nothing to store, nothing to guess,
and a regenerated QR code (lost phone) changes it, so the lost phone can no longer fetch
the pass that carries the new code.
"""

from __future__ import annotations

import hashlib
import hmac

from django.utils.crypto import salted_hmac

from parcauto.access.models import AccessPass

_AUTH_PURPOSE = "parcauto.wallets.apple-authentication"


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
