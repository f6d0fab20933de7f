"""Bank account numbers at rest: encrypted, rotatable keys, a loud failure without keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from parcauto.payments import crypto
from parcauto.payments.models import PaymentMethod

from .factories import pad_agreement_make, pad_contract_make

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_an_account_number_round_trips_and_is_not_in_the_token(settings) -> None:
    settings.PAYMENTS_ENCRYPTION_KEYS = [NEW_KEY]
    token = crypto.bank_account_encrypt("123456789012")
    assert "123456789012" not in token
    assert "6789" not in token
    assert crypto.bank_account_decrypt(token) == "123456789012"
    # Fernet adds a random IV: the same number never gives the same token twice.
    assert crypto.bank_account_encrypt("123456789012") != token


def test_a_new_key_in_front_still_reads_old_tokens_and_rotation_moves_them(settings) -> None:
    settings.PAYMENTS_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = crypto.bank_account_encrypt("7654321")
    settings.PAYMENTS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert crypto.bank_account_decrypt(old_token) == "7654321"
    rotated = crypto.bank_account_rotate(old_token)
    settings.PAYMENTS_ENCRYPTION_KEYS = [NEW_KEY]
    assert crypto.bank_account_decrypt(rotated) == "7654321"
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        crypto.bank_account_decrypt(old_token)


def test_without_keys_the_first_use_fails_with_a_clear_message(settings) -> None:
    settings.PAYMENTS_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="PAYMENTS_ENCRYPTION_KEYS is empty"):
        crypto.bank_account_encrypt("1234567")


def test_a_malformed_key_is_a_configuration_error(settings) -> None:
    settings.PAYMENTS_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="invalid key"):
        crypto.bank_account_encrypt("1234567")


def test_the_development_key_is_derived_only_while_debug(settings) -> None:
    # The settings module derives one while DEBUG (the test run's default).
    assert len(settings.PAYMENTS_ENCRYPTION_KEYS) == 1
    assert crypto.bank_account_decrypt(crypto.bank_account_encrypt("1234567")) == "1234567"


def test_the_masked_display_shows_only_the_last_digits() -> None:
    assert crypto.masked("9012") == "•••• 9012"


def test_rotation_moves_every_stored_account_to_the_new_key(settings, organization) -> None:
    settings.PAYMENTS_ENCRYPTION_KEYS = [OLD_KEY]
    pad_agreement_make(organization)
    pad_contract_make(organization, first_name="Ana", last_name="Roy", account="123456789012")
    method = PaymentMethod.objects.get()
    settings.PAYMENTS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert crypto.bank_accounts_rotate() == 1
    settings.PAYMENTS_ENCRYPTION_KEYS = [NEW_KEY]
    method.refresh_from_db()
    assert crypto.bank_account_decrypt(method.bank_account_encrypted) == "123456789012"
