"""The payments' system checks (parcauto.E010-E015, W010-W011), and the sandbox gateway
that a production site cannot serve by mistake."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from parcauto.payments.checks import encryption_keys_check
from parcauto.payments.gateways import get_gateway
from parcauto.payments.models import SandboxCard
from tests.production import SANDBOX, check_ids, production_configure

FRAME = "/passerelle-test/carte/"
TOKENIZE = "/passerelle-test/carte/jeton/"


@pytest.fixture
def production(settings, tmp_path, monkeypatch):
    production_configure(settings, tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert check_ids() == []
    return settings


def test_the_sandbox_gateway_outside_debug_stops_the_start_up(production):
    production.PAYMENTS_GATEWAY = SANDBOX
    assert check_ids() == ["parcauto.E011"]
    with pytest.raises(ImproperlyConfigured, match="PARCAUTO_ALLOW_SANDBOX_GATEWAY"):
        get_gateway()


def test_a_staging_site_may_allow_the_sandbox_and_is_warned(production):
    production.PAYMENTS_GATEWAY = SANDBOX
    production.PARCAUTO_ALLOW_SANDBOX_GATEWAY = True
    assert check_ids(deploy=False) == []
    assert check_ids() == ["parcauto.W010"]
    assert get_gateway().name == "sandbox"


def test_a_gateway_that_cannot_be_imported_is_refused(production):
    production.PAYMENTS_GATEWAY = "parcauto.payments.gateways.paypal.Gateway.from_settings"
    assert check_ids() == ["parcauto.E010"]
    production.PAYMENTS_GATEWAY = "parcauto.payments.gateways.moneris.MonerisGateway.nothing"
    assert check_ids() == ["parcauto.E010"]


@pytest.mark.parametrize("name", ["MONERIS_STORE_ID", "MONERIS_API_TOKEN", "MONERIS_HT_PROFILE_ID"])
def test_moneris_needs_each_of_its_credentials(production, name):
    setattr(production, name, " ")
    assert check_ids() == ["parcauto.E012"]


def test_the_credentials_check_is_moneris_own(production):
    production.PAYMENTS_GATEWAY = SANDBOX
    production.PARCAUTO_ALLOW_SANDBOX_GATEWAY = True
    production.MONERIS_STORE_ID = ""
    assert check_ids(deploy=False) == []


@pytest.mark.parametrize("host", ["", "https://www3.moneris.com", "www3.moneris.com/gateway2"])
def test_moneris_host_is_a_bare_host_name(production, host):
    production.MONERIS_HOST = host
    assert check_ids() == ["parcauto.E013"]


def test_moneris_test_host_is_a_deploy_warning(production):
    production.MONERIS_HOST = "esqa.moneris.com"
    assert check_ids(deploy=False) == []
    assert check_ids() == ["parcauto.W011"]


def test_bank_accounts_need_an_encryption_key(production):
    production.PAYMENTS_ENCRYPTION_KEYS = []
    assert check_ids() == ["parcauto.E014"]


def test_a_malformed_encryption_key_is_refused_without_being_printed(production):
    good = production.PAYMENTS_ENCRYPTION_KEYS[0]
    production.PAYMENTS_ENCRYPTION_KEYS = [good, "not-a-fernet-key"]
    assert check_ids() == ["parcauto.E015"]
    [error] = encryption_keys_check()
    assert isinstance(error, checks.Error)
    assert "key 2 of 2" in error.msg
    assert "not-a-fernet-key" not in error.msg


def test_the_sandbox_pages_are_not_served_unless_allowed(portal_client, settings):
    settings.PAYMENTS_GATEWAY = SANDBOX
    assert portal_client.get(FRAME).status_code == 200  # development's default: allowed

    settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY = False
    page = portal_client.get(FRAME)
    answer = portal_client.post(TOKENIZE, {"card_number": "4242424242424242"})

    assert (page.status_code, answer.status_code) == (404, 404)
    assert not SandboxCard.objects.exists()
