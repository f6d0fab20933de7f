"""Bank account numbers at rest: Fernet (AES-128-CBC + HMAC-SHA256), keys from settings.

`PAYMENTS_ENCRYPTION_KEYS` lists keys newest first: the first encrypts, any decrypts
(MultiFernet), so a new key goes in front and `bank_account_rotate` re-encrypts old rows
before the old key is dropped. A clear account number lives only in memory, for the
CPA-005 file; the database keeps the token and the last digits for display.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_scopes import scope

from parcauto.tenants.scoping import institutions_each

from .models import PaymentMethod

MASK = "••••"


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "PAYMENTS_ENCRYPTION_KEYS is empty: set it to one or more Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())') to store bank accounts."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"PAYMENTS_ENCRYPTION_KEYS holds an invalid key: {error}"
        ) from None


def _current_cipher() -> MultiFernet:
    return _cipher(tuple(settings.PAYMENTS_ENCRYPTION_KEYS))


def bank_account_encrypt(account: str) -> str:
    return _current_cipher().encrypt(account.encode()).decode()


def bank_account_decrypt(token: str) -> str:
    """The clear number; a token no configured key opens is a configuration error."""
    try:
        return _current_cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A bank account cannot be decrypted with PAYMENTS_ENCRYPTION_KEYS: "
            "was the key that encrypted it removed?"
        ) from None


def bank_account_rotate(token: str) -> str:
    """The same number under the newest key (for a key rotation)."""
    return _current_cipher().rotate(token.encode()).decode()


def bank_accounts_rotate() -> int:
    """Re-encrypt every stored account under the newest key; how many rows changed.

    Run it (`manage.py shell -c "..."`) after putting a new key in front, then drop the
    old key. One UPDATE per row, and only if the row still holds the token read, so it
    can run while people pay.
    """
    rotated = 0
    for organization in institutions_each():  # every institution's accounts, one at a time
        with scope(organization=organization):
            rows = PaymentMethod.objects.exclude(bank_account_encrypted="").values_list(
                "pk", "bank_account_encrypted"
            )
            for pk, token in rows.iterator():
                rotated += PaymentMethod.objects.filter(pk=pk, bank_account_encrypted=token).update(
                    bank_account_encrypted=bank_account_rotate(token)
                )
    return rotated


def masked(last_digits: str) -> str:
    """`•••• 1234`: all a screen, an e-mail or a log may show of an account."""
    return f"{MASK} {last_digits}"
