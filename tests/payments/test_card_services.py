from __future__ import annotations

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments import tasks
from parcauto.payments.gateways.base import CardRejected, GatewayError, GatewayTimeout
from parcauto.payments.gateways.sandbox import SandboxGateway, sandbox_card_tokenize
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.payments.services import cards
from parcauto.sales import tasks as sale
from parcauto.subscriptions.models import Subscription
from tests.payments.conftest import NOW
from tests.payments.factories import contract_make
from tests.scoping import worker_call

VISA = "4242424242424242"
DECLINED = "4000000000000002"


def temporary_token(number: str = VISA) -> str:
    return sandbox_card_tokenize(number=number, expiry="3012").token


@pytest.fixture
def contract(organization) -> Subscription:
    return contract_make(organization, payment_method=PaymentMethodKind.CARD)


@pytest.fixture
def active_card(contract) -> PaymentMethod:
    method = cards.card_method_record(
        subscription=contract, temporary_token=temporary_token(), now=NOW
    )
    return cards.card_method_vault(payment_method=method, now=NOW)


def vaulted_keys() -> set[str]:
    return set(SandboxCard.objects.filter(permanent=True).values_list("token", flat=True))


def _vault(method: PaymentMethod) -> str:
    return worker_call(
        sale.vault_card, organization_id=method.organization_id, payment_method_id=method.pk
    )


def test_recording_a_card_calls_no_gateway_and_the_vault_task_stores_it(contract) -> None:
    token = temporary_token()

    method = cards.card_method_record(subscription=contract, temporary_token=token, now=NOW)

    assert (method.status, method.kind, method.gateway) == ("pending", "card", "sandbox")
    assert method.temporary_token == token and not method.data_key
    assert SandboxCard.objects.get().token == token  # not used yet
    assert (
        worker_call(
            sale.vault_card,
            organization_id=method.organization_id,
            payment_method_id=method.pk,
        )
        == PaymentMethod.Status.ACTIVE
    )
    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.ACTIVE


def test_vaulting_keeps_the_data_key_and_what_may_be_shown(active_card) -> None:
    assert active_card.status == PaymentMethod.Status.ACTIVE
    assert active_card.data_key in vaulted_keys()
    assert (active_card.card_brand, active_card.card_last4, active_card.card_expiry) == (
        "visa",
        "4242",
        "3012",
    )
    assert active_card.issuer_id
    assert active_card.temporary_token == ""


def test_the_vault_task_run_twice_changes_nothing_the_second_time(contract) -> None:
    method = cards.card_method_record(
        subscription=contract, temporary_token=temporary_token(), now=NOW
    )
    worker_call(
        sale.vault_card, organization_id=method.organization_id, payment_method_id=method.pk
    )
    method.refresh_from_db()
    first = (method.status, method.data_key, method.updated_at)

    result = worker_call(
        sale.vault_card, organization_id=method.organization_id, payment_method_id=method.pk
    )

    method.refresh_from_db()
    assert result == "active"
    assert (method.status, method.data_key, method.updated_at) == first
    assert vaulted_keys() == {method.data_key}


def test_a_declined_card_is_revoked_and_the_refusal_raised(contract) -> None:
    method = cards.card_method_record(
        subscription=contract, temporary_token=temporary_token(DECLINED), now=NOW
    )

    with pytest.raises(CardRejected):
        cards.card_method_vault(payment_method=method, now=NOW)

    method.refresh_from_db()
    assert method.status == PaymentMethod.Status.REVOKED
    assert (method.temporary_token, method.data_key) == ("", "")
    assert method.revoked_at == NOW
    assert (
        worker_call(
            sale.vault_card,
            organization_id=method.organization_id,
            payment_method_id=method.pk,
        )
        == "revoked"
    )


def test_a_gateway_that_does_not_answer_leaves_the_card_pending(contract, monkeypatch) -> None:
    token = temporary_token()
    method = cards.card_method_record(subscription=contract, temporary_token=token, now=NOW)

    def no_answer(self, **kwargs):
        raise GatewayTimeout("no answer")

    monkeypatch.setattr(SandboxGateway, "vault_add", no_answer)
    with pytest.raises(GatewayTimeout):
        cards.card_method_vault(payment_method=method, now=NOW)

    method.refresh_from_db()
    assert (method.status, method.temporary_token) == ("pending", token)


def test_a_card_refused_while_the_gateway_answered_leaves_the_vault(contract, monkeypatch) -> None:
    method = cards.card_method_record(
        subscription=contract, temporary_token=temporary_token(), now=NOW
    )
    real_vault_add = SandboxGateway.vault_add

    def refused_meanwhile(self, **kwargs):
        profile = real_vault_add(self, **kwargs)
        PaymentMethod.objects.filter(pk=method.pk).update(status=PaymentMethod.Status.REVOKED)
        return profile

    monkeypatch.setattr(SandboxGateway, "vault_add", refused_meanwhile)
    result = cards.card_method_vault(payment_method=method, now=NOW)

    assert result.status == PaymentMethod.Status.REVOKED
    assert result.data_key == ""
    assert vaulted_keys() == set()


def test_replacing_the_card_retires_the_old_one_and_forgets_it_after_commit(
    contract, active_card, django_capture_on_commit_callbacks, organization
) -> None:
    old_key = active_card.data_key

    with django_capture_on_commit_callbacks(execute=True):
        new = cards.card_method_replace(
            subscription=contract,
            temporary_token=temporary_token("5454545454545454"),
            actor=contract.person,
            now=NOW,
        )

    active_card.refresh_from_db()
    assert active_card.status == PaymentMethod.Status.REPLACED
    assert (new.status, new.card_brand, new.card_last4) == ("active", "mastercard", "5454")
    assert vaulted_keys() == {new.data_key}
    assert old_key not in vaulted_keys()
    event = AuditEvent.objects.get(action="payment_method.card_replaced")
    assert event.actor == contract.person and event.organization == organization
    assert event.data["new_method"] == new.pk and event.data["old_methods"] == [active_card.pk]


def test_a_refused_new_card_changes_nothing(
    contract, active_card, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CardRejected):
        cards.card_method_replace(
            subscription=contract,
            temporary_token=temporary_token(DECLINED),
            actor=contract.person,
            now=NOW,
        )

    active_card.refresh_from_db()
    assert active_card.status == PaymentMethod.Status.ACTIVE
    assert PaymentMethod.objects.count() == 1
    assert vaulted_keys() == {active_card.data_key}
    assert not AuditEvent.objects.filter(action="payment_method.card_replaced").exists()


def test_a_failed_swap_removes_the_new_card_from_the_vault(
    contract, active_card, monkeypatch
) -> None:
    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(cards, "audit_log", broken_audit)
    with pytest.raises(RuntimeError):
        cards.card_method_replace(
            subscription=contract,
            temporary_token=temporary_token(),
            actor=None,
            now=NOW,
        )

    active_card.refresh_from_db()
    assert active_card.status == PaymentMethod.Status.ACTIVE
    assert vaulted_keys() == {active_card.data_key}


def test_a_refused_request_keeps_no_card(active_card) -> None:
    result = worker_call(
        tasks.forget_card,
        organization_id=active_card.organization_id,
        payment_method_id=active_card.pk,
    )

    active_card.refresh_from_db()
    assert result == "revoked"
    assert vaulted_keys() == set()
    assert (
        active_card.data_key,
        active_card.temporary_token,
        active_card.issuer_id,
        active_card.card_last4,
        active_card.card_brand,
        active_card.card_expiry,
    ) == ("", "", "", "", "", "")
    assert active_card.revoked_at is not None


def test_the_contracts_card_is_forgotten_only_once_the_transaction_commits(
    active_card, contract, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.card_forget_after_commit(subscription=contract)
    active_card.refresh_from_db()
    assert active_card.status == PaymentMethod.Status.ACTIVE  # nothing before the commit
    assert active_card.data_key in vaulted_keys()
    assert len(callbacks) == 1

    callbacks[0]()

    active_card.refresh_from_db()
    assert (active_card.status, active_card.data_key) == (PaymentMethod.Status.REVOKED, "")
    assert vaulted_keys() == set()


def test_forgetting_waits_for_the_vault(active_card, monkeypatch) -> None:
    def unreachable(self, **kwargs):
        raise GatewayError("down")

    monkeypatch.setattr(SandboxGateway, "vault_delete", unreachable)
    with pytest.raises(GatewayError):
        cards.card_method_forget(payment_method=active_card, now=NOW)

    active_card.refresh_from_db()
    assert active_card.status == PaymentMethod.Status.ACTIVE
    assert active_card.data_key in vaulted_keys()


def test_a_stale_copy_of_a_vaulted_card_is_not_vaulted_again(contract) -> None:
    stale = cards.card_method_record(
        subscription=contract, temporary_token=temporary_token(), now=NOW
    )
    fresh = PaymentMethod.objects.get(pk=stale.pk)
    cards.card_method_vault(payment_method=fresh, now=NOW)

    result = cards.card_method_vault(payment_method=stale, now=NOW)

    assert result.status == PaymentMethod.Status.ACTIVE
    assert result.data_key == fresh.data_key
    assert vaulted_keys() == {fresh.data_key}
