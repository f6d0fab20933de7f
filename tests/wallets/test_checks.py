"""The wallets' system checks (parcauto.E030-E031, W030): configured certificates and keys
are loaded at start-up, so a bad one stops it with what to fix."""

from __future__ import annotations

import json

import pytest

from parcauto.wallets.credentials import _apple_cached, _load_google
from parcauto.wallets.devchain import dev_chain_ensure
from tests.production import check_ids, production_configure


@pytest.fixture
def production(settings, tmp_path, monkeypatch):
    production_configure(settings, tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    _apple_cached.cache_clear()
    _load_google.cache_clear()
    assert check_ids() == []
    return settings


@pytest.fixture
def chain(production, tmp_path):
    """A chain and a service account as an operator would install them (made here by the
    development generator: the checks read them the same way)."""
    files = dev_chain_ensure(
        tmp_path / "wallet",
        pass_type_id=production.WALLET_APPLE_PASS_TYPE_ID,
        team_id=production.WALLET_APPLE_TEAM_ID,
    )
    production.WALLET_APPLE_CERTIFICATE = str(files.certificate)
    production.WALLET_APPLE_KEY = str(files.key)
    production.WALLET_APPLE_WWDR = str(files.wwdr)
    production.WALLET_GOOGLE_SERVICE_ACCOUNT = str(files.google_service_account)
    return files


def test_installed_certificates_and_service_account_pass(chain):
    assert check_ids() == []


def test_a_certificate_without_its_key_stops_the_start_up(chain, production):
    production.WALLET_APPLE_KEY = ""
    assert check_ids() == ["parcauto.E030"]


def test_a_key_that_is_not_the_certificates_stops_the_start_up(chain, production, tmp_path):
    other = dev_chain_ensure(
        tmp_path / "other",
        pass_type_id=production.WALLET_APPLE_PASS_TYPE_ID,
        team_id=production.WALLET_APPLE_TEAM_ID,
    )
    production.WALLET_APPLE_KEY = str(other.key)
    assert check_ids() == ["parcauto.E030"]


def test_a_file_that_is_no_certificate_stops_the_start_up(chain, production, tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    production.WALLET_APPLE_CERTIFICATE = str(garbage)
    assert check_ids() == ["parcauto.E030"]


def test_a_malformed_service_account_stops_the_start_up(chain, production, tmp_path):
    account = tmp_path / "account.json"
    account.write_text(json.dumps({"client_email": "parcauto@example.iam"}))
    production.WALLET_GOOGLE_SERVICE_ACCOUNT = str(account)
    assert check_ids() == ["parcauto.E031"]


def test_an_issuer_id_that_is_no_number_stops_the_start_up(chain, production):
    production.WALLET_GOOGLE_ISSUER_ID = "parcauto"
    assert check_ids() == ["parcauto.E031"]


def test_the_development_chain_outside_debug_is_a_deploy_warning(production):
    production.WALLET_DEV_CREDENTIALS = True
    assert check_ids(deploy=False) == []
    assert check_ids() == ["parcauto.W030"]
