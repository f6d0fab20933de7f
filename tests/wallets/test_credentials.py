"""Where the wallets' certificates and keys come from, and what is refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from parcauto.wallets.credentials import apple_credentials, google_credentials
from parcauto.wallets.devchain import DevFiles


def test_the_development_chain_is_made_on_first_use(settings, tmp_path):
    settings.WALLET_DEV_DIR = tmp_path / "wallet-dev"
    credentials = apple_credentials()
    assert DevFiles(tmp_path / "wallet-dev").complete()
    assert credentials.pass_type_id == "pass.ca.parcauto.dev"
    assert google_credentials().client_email.endswith(".iam.gserviceaccount.com")


def test_the_command_makes_a_new_chain_on_request(settings, tmp_path):
    settings.WALLET_DEV_DIR = tmp_path / "wallet-dev"
    out = io.StringIO()
    call_command("wallet_dev_credentials", stdout=out)
    first = (tmp_path / "wallet-dev" / "pass-certificate.pem").read_bytes()
    call_command("wallet_dev_credentials", stdout=out)
    assert (tmp_path / "wallet-dev" / "pass-certificate.pem").read_bytes() == first
    call_command("wallet_dev_credentials", "--replace", stdout=out)
    assert (tmp_path / "wallet-dev" / "pass-certificate.pem").read_bytes() != first
    assert "root-ca.pem" in out.getvalue()


def test_a_chain_made_for_another_pass_type_is_made_anew(settings, tmp_path):
    settings.WALLET_DEV_DIR = tmp_path / "wallet-dev"
    apple_credentials()
    settings.WALLET_APPLE_PASS_TYPE_ID = "pass.ca.parcauto.other"
    assert apple_credentials().pass_type_id == "pass.ca.parcauto.other"


def test_operator_certificates_are_read_from_pem_text_or_files(settings, dev_files):
    settings.WALLET_APPLE_CERTIFICATE = dev_files.certificate.read_text()  # the PEM itself
    settings.WALLET_APPLE_KEY = str(dev_files.key)  # a path
    settings.WALLET_APPLE_WWDR = str(dev_files.wwdr)
    settings.WALLET_DEV_CREDENTIALS = False
    assert (
        apple_credentials()
        .certificate.subject.rfc4514_string()
        .endswith("UID=pass.ca.parcauto.dev")
    )
    settings.WALLET_GOOGLE_SERVICE_ACCOUNT = dev_files.google_service_account.read_text()
    assert google_credentials().issuer_id == settings.WALLET_GOOGLE_ISSUER_ID


def test_without_credentials_and_without_development_ones_no_wallet_is_configured(settings):
    settings.WALLET_DEV_CREDENTIALS = False
    assert apple_credentials() is None
    assert google_credentials() is None


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("WALLET_APPLE_KEY", "", "go together"),
        ("WALLET_APPLE_KEY", "/nowhere/key.pem", "cannot read"),
        (
            "WALLET_APPLE_WWDR",
            "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----",
            "no PEM",
        ),
        ("WALLET_APPLE_PASS_TYPE_ID", "pass.com.someone.else", "is for 'pass.ca.parcauto.dev'"),
    ],
)
def test_a_wrong_apple_configuration_fails_loudly(settings, dev_files, setting, value, message):
    settings.WALLET_APPLE_CERTIFICATE = str(dev_files.certificate)
    settings.WALLET_APPLE_KEY = str(dev_files.key)
    settings.WALLET_APPLE_WWDR = str(dev_files.wwdr)
    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        apple_credentials()


def test_a_key_that_is_not_the_certificate_s_is_refused(settings, dev_files):
    settings.WALLET_APPLE_CERTIFICATE = str(dev_files.wwdr)  # not the pass certificate
    settings.WALLET_APPLE_KEY = str(dev_files.key)
    settings.WALLET_APPLE_WWDR = str(dev_files.wwdr)
    with pytest.raises(ImproperlyConfigured, match="not the key"):
        apple_credentials()


@pytest.mark.parametrize("account", ['{"type": "service_account"}', "{not json"])
def test_a_broken_service_account_fails_loudly(settings, account):
    settings.WALLET_GOOGLE_SERVICE_ACCOUNT = account
    with pytest.raises(ImproperlyConfigured, match="service-account"):
        google_credentials()
