"""MonerisGateway against a local server that speaks Moneris' XML (moneris_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from parcauto.payments.gateways.base import (
    CardProfile,
    CardRejected,
    Charge,
    GatewayError,
    GatewayTimeout,
)
from parcauto.payments.gateways.moneris import MonerisGateway, receipt_parse, request_xml
from tests.payments.moneris_server import MonerisTestHost, MonerisTestServer

VISA = "4242424242424242"
TIMEOUT_CARD = "4000000000000119"


@pytest.fixture
def server() -> Iterator[MonerisTestServer]:
    with MonerisTestServer() as running:
        yield running


@pytest.fixture
def host(server) -> MonerisTestHost:
    return server.host


@pytest.fixture
def gateway(server) -> MonerisGateway:
    return MonerisGateway(
        store_id="store5", api_token="yesguy", host=server.address, scheme="http", timeout=0.5
    )


def stored_card(gateway: MonerisGateway, host: MonerisTestHost, pan: str = VISA) -> CardProfile:
    return gateway.vault_add(temporary_token=host.temporary_token(pan), customer_id="contract-7")


def charge(card: CardProfile, order_id: str, amount: str, *, recurring: bool = True) -> Charge:
    return Charge(
        order_id=order_id,
        data_key=card.data_key,
        amount=Decimal(amount),
        issuer_id=card.issuer_id,
        recurring=recurring,
    )


def test_a_card_is_verified_as_a_first_credential_on_file_use_then_stored(gateway, host) -> None:
    card = stored_card(gateway, host)

    (verify, verified), (add, added) = host.requests
    assert verify == "res_card_verification_cc" and add == "res_add_token"
    assert verified["cof_info"] == {"payment_indicator": "C", "payment_information": "0"}
    assert verified["crypt_type"] == "7" and verified["order_id"].startswith("verify-")
    assert added["cof_info"] == {"issuer_id": card.issuer_id}
    assert added["cust_id"] == "contract-7"
    assert (card.brand, card.last4, card.expiry) == ("visa", "4242", "3012")
    assert card.data_key in host.vault and card.issuer_id


@pytest.mark.parametrize(
    ("pan", "code"), [("4000000000000002", "481"), ("4000000000000069", "482")]
)
def test_a_declined_verification_stores_nothing(gateway, host, pan, code) -> None:
    with pytest.raises(CardRejected) as refused:
        stored_card(gateway, host, pan)

    assert refused.value.response_code == code
    assert [name for name, _ in host.requests] == ["res_card_verification_cc"]
    assert host.vault == {}


def test_a_used_temporary_token_is_refused(gateway, host) -> None:
    token = host.temporary_token(VISA)
    gateway.vault_add(temporary_token=token, customer_id="c")

    with pytest.raises(CardRejected) as refused:
        gateway.vault_add(temporary_token=token, customer_id="c")

    assert refused.value.response_code == ""
    assert len(host.vault) == 1


def test_monthly_charges_are_recurring_merchant_initiated(gateway, host) -> None:
    card = stored_card(gateway, host)

    result = gateway.purchase(charge(card, "inv-1", "23.00"))

    name, sent = host.requests[-1]
    assert name == "res_purchase_cc"
    assert sent["cof_info"] == {
        "payment_indicator": "R",
        "payment_information": "2",
        "issuer_id": card.issuer_id,
    }
    assert (sent["amount"], sent["data_key"], sent["crypt_type"]) == ("23.00", card.data_key, "7")
    assert (result.approved, result.response_code, result.duplicate) == (True, "027", False)
    assert result.reference.endswith("-0_11") and result.auth_code


def test_a_charge_the_cardholder_starts_is_marked_so(gateway, host) -> None:
    card = stored_card(gateway, host)

    gateway.purchase(charge(card, "first", "10.00", recurring=False))

    assert host.requests[-1][1]["cof_info"]["payment_indicator"] == "C"


@pytest.mark.parametrize(
    ("amount", "approved", "code"),
    [
        ("10.00", True, "027"),
        ("10.05", False, "481"),
        ("55.00", False, "421"),
        ("125.00", False, "482"),
    ],
)
def test_the_test_host_decides_by_amount(gateway, host, amount, approved, code) -> None:
    card = stored_card(gateway, host)

    result = gateway.purchase(charge(card, f"amount-{amount}", amount))

    assert (result.approved, result.response_code) == (approved, code)
    assert bool(result.auth_code) is approved  # a decline's "000000" is no authorization


def test_a_repeated_order_id_returns_the_first_answer_without_charging(gateway, host) -> None:
    card = stored_card(gateway, host)
    first = gateway.purchase(charge(card, "inv-2", "10.00"))

    again = gateway.purchase(charge(card, "inv-2", "10.00"))

    assert again.duplicate and again.approved
    assert again.reference == first.reference
    assert host.charges_made == 1
    assert host.requests[-1][0] == "res_purchase_cc"  # the status check


def test_a_lost_answer_times_out_and_status_reveals_the_charge(gateway, host) -> None:
    card = stored_card(gateway, host, TIMEOUT_CARD)

    with pytest.raises(GatewayTimeout):
        gateway.purchase(charge(card, "inv-3", "10.00"))
    found = gateway.status(order_id="inv-3")
    retried = gateway.purchase(charge(card, "inv-3", "10.00"))

    assert found is not None and found.approved and found.duplicate
    assert retried.duplicate and retried.reference == found.reference
    assert host.charges_made == 1


def test_status_of_an_order_id_moneris_never_saw_is_none(gateway) -> None:
    assert gateway.status(order_id="never-sent") is None


def test_purchase_many_keeps_the_order_and_returns_errors_in_place(gateway, host) -> None:
    visa, lost = stored_card(gateway, host), stored_card(gateway, host, TIMEOUT_CARD)

    outcomes = gateway.purchase_many(
        [charge(visa, "m1", "10.00"), charge(lost, "m2", "10.00"), charge(visa, "m3", "10.05")]
    )

    assert outcomes[0].approved  # type: ignore[union-attr]
    assert isinstance(outcomes[1], GatewayTimeout)
    assert not outcomes[2].approved  # type: ignore[union-attr]
    assert host.charges_made == 3


def test_refunds_refer_to_the_charge_and_never_exceed_it(gateway, host) -> None:
    card = stored_card(gateway, host)
    paid = gateway.purchase(charge(card, "inv-4", "30.00"))

    part = gateway.refund(order_id="ref-1", original=paid, amount=Decimal("20.00"))
    too_much = gateway.refund(order_id="ref-2", original=paid, amount=Decimal("10.01"))

    name, sent = host.requests[-1]
    assert name == "refund"
    assert (sent["order_id"], sent["txn_number"]) == ("inv-4", paid.reference)
    assert part.approved and part.order_id == "ref-1"
    assert not too_much.approved


def test_deleting_a_card_removes_it_and_deleting_again_is_fine(gateway, host) -> None:
    card = stored_card(gateway, host)

    gateway.vault_delete(data_key=card.data_key)
    gateway.vault_delete(data_key=card.data_key)

    assert host.vault == {}
    assert not gateway.purchase(charge(card, "after-delete", "10.00")).approved


@pytest.mark.parametrize("mode", ["http500", "garbage"])
def test_a_broken_answer_is_a_gateway_error_not_a_timeout(gateway, host, mode) -> None:
    card = stored_card(gateway, host)
    host.mode = mode

    with pytest.raises(GatewayError) as error:
        gateway.purchase(charge(card, "broken", "10.00"))

    assert not isinstance(error.value, GatewayTimeout)


def test_an_unreachable_host_is_a_gateway_error(server) -> None:
    gateway = MonerisGateway(store_id="s", api_token="t", host="127.0.0.1:9", scheme="http")

    with pytest.raises(GatewayError):
        gateway.status(order_id="x")


def test_wrong_credentials_are_refused(server, host) -> None:
    gateway = MonerisGateway(
        store_id="store5", api_token="nope", host=server.address, scheme="http"
    )

    with pytest.raises(CardRejected):
        gateway.vault_add(temporary_token=host.temporary_token(VISA), customer_id="c")


def test_the_iframe_is_moneris_hosted_tokenization_page() -> None:
    gateway = MonerisGateway(
        store_id="s", api_token="t", host="esqa.moneris.com", ht_profile_id="ht1234"
    )

    french = gateway.hosted_tokenization(page_origin="https://chus.parcauto.ca", language="fr")
    english = gateway.hosted_tokenization(page_origin="https://chus.parcauto.ca", language="en")

    assert french.origin == "https://esqa.moneris.com"
    assert french.iframe_url.startswith("https://esqa.moneris.com/HPPtoken/index.php?id=ht1234&")
    assert "pmmsg=true" in french.iframe_url and "enable_exp=1" in french.iframe_url
    assert "Num%C3%A9ro+de+carte" in french.iframe_url
    assert "Card+number" in english.iframe_url


def test_it_is_configured_from_settings(settings) -> None:
    settings.MONERIS_STORE_ID = ""
    with pytest.raises(ImproperlyConfigured):
        MonerisGateway.from_settings()

    settings.MONERIS_STORE_ID, settings.MONERIS_API_TOKEN = "monca01234", "secret"
    settings.MONERIS_HOST = "www3.moneris.com"
    gateway = MonerisGateway.from_settings()

    assert gateway.url == "https://www3.moneris.com/gateway2/servlet/MpgRequest"
    assert (gateway.store_id, gateway.timeout) == ("monca01234", settings.MONERIS_TIMEOUT_SECONDS)


def test_requests_escape_what_they_carry() -> None:
    body = request_xml(
        store_id="store5",
        api_token="yesguy",
        transaction="res_add_token",
        fields={"cust_id": "<a&b>", "cof_info": {"issuer_id": ""}},
    )

    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<request><store_id>store5<")
    assert b"<cust_id>&lt;a&amp;b&gt;</cust_id>" in body
    assert b"<cof_info />" in body  # empty fields are left out


def test_an_answer_with_a_dtd_is_refused() -> None:
    with pytest.raises(GatewayError):
        receipt_parse(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><response/>')
