from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks.signals import task_enqueued
from django.utils import formats
from django_tasks_db.models import DBTaskResult

from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice
from parcauto.catalog.models import PermitProduct
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.sales import services as lifecycle
from parcauto.sales.tasks import vault_card
from parcauto.subscriptions.errors import (
    FieldErrors,
    ProductNotAvailable,
    SoldOut,
    TransitionNotAllowed,
)
from parcauto.subscriptions.models import Consent, Subscription
from parcauto.subscriptions.services.activation import subscriptions_activate_due
from parcauto.subscriptions.tasks import activate_due_subscriptions
from parcauto.tenants.models import LegalText
from tests.factories import ProfileFactory, UserFactory
from tests.pages import PDF
from tests.payments.factories import contract_make
from tests.scoping import within, worker_call
from tests.subscriptions.conftest import NOW, TODAY, draft_until_payment, submit

pytestmark = pytest.mark.django_db

DECLINED_CARD = "4000000000000002"


@pytest.fixture
def staff():
    return UserFactory(email="agent@parcauto.test")


def test_submitting_gives_a_contract_number_takes_a_unit_and_awaits_approval(offer, person):
    offer.product.quantity = 10
    offer.product.save()
    request = submit(draft_until_payment(offer, person))
    assert request.status == Subscription.Status.SUBMITTED
    assert request.contract_number == 100_000_001
    assert request.submitted_at == NOW
    assert request.holds_unit
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 1
    kinds = set(request.consents.values_list("kind", flat=True))
    assert {Consent.Kind.PAYMENT_CONDITIONS, Consent.Kind.CHARGED_AFTER_APPROVAL} <= kinds
    assert AuditEvent.objects.filter(action="subscription.submitted", actor=person).count() == 1


def test_contract_numbers_follow_each_other(offer, person):
    first = submit(draft_until_payment(offer, person))
    second = submit(draft_until_payment(offer, ProfileFactory().user))
    assert second.contract_number == first.contract_number + 1


def test_a_double_click_on_submit_sends_one_request(offer, person):
    draft = draft_until_payment(offer, person)
    first = submit(draft)
    again = submit(draft)
    assert again.contract_number == first.contract_number
    assert Subscription.objects.exclude(status=Subscription.Status.DRAFT).count() == 1
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 1


def test_a_product_without_approval_is_active_on_submission(offer, person):
    offer.product.approval_required = False
    offer.product.save()
    request = submit(draft_until_payment(offer, person))
    assert request.status == Subscription.Status.ACTIVE
    assert request.activated_at == NOW


def test_a_later_start_without_approval_waits_for_its_date(offer, person):
    offer.product.approval_required = False
    offer.product.save()
    request = submit(draft_until_payment(offer, person, start=TODAY + dt.timedelta(days=10)))
    assert request.status == Subscription.Status.APPROVED


def test_the_payment_method_must_be_offered_and_consents_given(offer, person):
    draft = draft_until_payment(offer, person)
    with pytest.raises(FieldErrors) as refused:
        submit(draft, method="payroll")
    assert list(refused.value.errors) == ["payment_method"]
    with pytest.raises(FieldErrors) as refused:
        submit(draft, accepted_payment_conditions=False, accepted_charge_after_approval=False)
    assert set(refused.value.errors) == {
        "accepted_payment_conditions",
        "accepted_charge_after_approval",
    }
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


def test_payroll_deduction_records_the_written_authorization(offer, person):
    offer.product.accepts_payroll = True
    offer.product.save()
    offer.category.accepts_payroll = True
    offer.category.save()
    request = submit(draft_until_payment(offer, person), method="payroll")
    kinds = set(request.consents.values_list("kind", flat=True))
    assert Consent.Kind.PAYROLL_AUTHORIZATION in kinds
    assert Consent.Kind.CHARGED_AFTER_APPROVAL not in kinds


def test_a_sold_out_product_refuses_the_request_and_keeps_the_draft(offer, person):
    offer.product.quantity = 1
    offer.product.units_taken = 1
    offer.product.save()
    draft = draft_until_payment(offer, person)
    with pytest.raises(SoldOut):
        submit(draft)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert draft.contract_number is None


def test_a_product_whose_sales_closed_meanwhile_is_refused(offer, person):
    draft = draft_until_payment(offer, person)
    PermitProduct.objects.filter(pk=offer.product.pk).update(sales_end=NOW - dt.timedelta(hours=1))
    with pytest.raises(ProductNotAvailable):
        submit(draft)


def test_approval_today_makes_it_active(offer, person, staff):
    request = submit(draft_until_payment(offer, person))
    approved = lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    assert approved.status == Subscription.Status.ACTIVE
    assert (approved.decided_by, approved.decided_at, approved.activated_at) == (staff, NOW, NOW)
    assert AuditEvent.objects.filter(action="subscription.approved", actor=staff).exists()


def test_approval_before_the_start_waits_then_the_daily_job_activates(offer, person, staff):
    start = TODAY + dt.timedelta(days=5)
    request = submit(draft_until_payment(offer, person, start=start))
    approved = lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    assert approved.status == Subscription.Status.APPROVED
    assert subscriptions_activate_due(now=NOW + dt.timedelta(days=4)) == 0
    start_morning = dt.datetime.combine(start, dt.time(0, 5), tzinfo=NOW.tzinfo)
    assert subscriptions_activate_due(now=start_morning) == 1
    assert subscriptions_activate_due(now=start_morning) == 0  # idempotent
    approved.refresh_from_db()
    assert approved.status == Subscription.Status.ACTIVE
    assert approved.activated_at == start_morning


def test_the_daily_job_activates_the_due_contracts_of_every_institution(
    organization, other_organization
):
    for each in (organization, other_organization):
        due = contract_make(each, start=TODAY)
        with within(each):
            Subscription.objects.filter(pk=due.pk).update(status=Subscription.Status.APPROVED)
    assert worker_call(activate_due_subscriptions) == 2  # a worker: no scope of its own


def test_only_a_pending_request_can_be_approved_or_refused(offer, person, staff):
    request = submit(draft_until_payment(offer, person))
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.subscription_refuse(subscription=request, actor=staff, reason="Non", now=NOW)


def test_refusal_needs_a_reason_and_gives_the_unit_back(offer, person, staff):
    offer.product.quantity = 1
    offer.product.save()
    request = submit(draft_until_payment(offer, person))
    with pytest.raises(FieldErrors):
        lifecycle.subscription_refuse(subscription=request, actor=staff, reason="  ", now=NOW)
    refused = lifecycle.subscription_refuse(
        subscription=request, actor=staff, reason="Stage non confirmé", now=NOW
    )
    assert refused.status == Subscription.Status.REFUSED
    assert refused.refusal_reason == "Stage non confirmé"
    assert not refused.holds_unit
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 0


def test_the_person_can_withdraw_a_pending_request_once(offer, person):
    offer.product.quantity = 5
    offer.product.save()
    request = submit(draft_until_payment(offer, person))
    cancelled = lifecycle.subscription_cancel_pending(subscription=request, actor=person, now=NOW)
    assert cancelled.status == Subscription.Status.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        lifecycle.subscription_cancel_pending(subscription=request, actor=person, now=NOW)
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 0


def test_bulk_approval_skips_requests_no_longer_pending(offer, person, staff):
    first = submit(draft_until_payment(offer, person))
    second = submit(draft_until_payment(offer, ProfileFactory().user))
    lifecycle.subscription_cancel_pending(subscription=second, actor=second.person, now=NOW)
    approved = lifecycle.subscription_approve_many(
        subscriptions=[first, second], actor=staff, now=NOW
    )
    assert [s.pk for s in approved] == [first.pk]


def test_the_price_is_a_snapshot_that_catalog_edits_do_not_change(offer, person):
    request = submit(draft_until_payment(offer, person))
    offer.product.price = Decimal("99.99")
    offer.product.save()
    request.refresh_from_db()
    assert request.price == Decimal("23.08")


def test_a_vehicle_removed_after_step_2_stops_the_submission(offer, person):
    draft = draft_until_payment(offer, person)
    draft.vehicles.update(removed_at=NOW)
    with pytest.raises(TransitionNotAllowed):
        submit(draft)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


# --- the means of payment: recorded at submission, charged at approval, forgotten on refusal ---


def _card_token(number: str = "4242424242424242") -> str:
    return sandbox_card_tokenize(number=number, expiry="3012", now=NOW).token


def _submit_by_card(draft, capture, number: str = "4242424242424242"):
    with capture(execute=True):
        return submit(draft, payment=lifecycle.CardPayment(temporary_token=_card_token(number)))


def _method(request) -> PaymentMethod:
    return PaymentMethod.objects.get(subscription=request)


def test_a_card_is_recorded_with_the_request_then_verified_after_commit(
    offer, person, frozen_now, django_capture_on_commit_callbacks
):
    draft = draft_until_payment(offer, person)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = submit(draft, payment=lifecycle.CardPayment(temporary_token=_card_token()))
        # Inside the transaction: the token only, nothing asked of the gateway yet.
        assert _method(request).status == PaymentMethod.Status.PENDING
        assert _method(request).data_key == ""
    for callback in callbacks:
        callback()
    method = _method(request)
    assert (method.status, method.card_last4, method.temporary_token) == ("active", "4242", "")
    assert not Invoice.objects.exists()  # approval first: nothing charged (rule 8)


def test_a_card_without_a_token_is_refused_with_the_consents(offer, person):
    draft = draft_until_payment(offer, person)
    with pytest.raises(FieldErrors) as refused:
        submit(
            draft,
            accepted_payment_conditions=False,
            payment=lifecycle.CardPayment(temporary_token=""),
        )
    assert set(refused.value.errors) == {"accepted_payment_conditions", "card_token"}
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert not PaymentMethod.objects.exists()


def test_a_payment_of_another_kind_than_the_method_chosen_is_refused(offer, person):
    draft = draft_until_payment(offer, person)
    with pytest.raises(FieldErrors):
        submit(draft, method="pad", payment=lifecycle.CardPayment(temporary_token="x"))
    assert not PaymentMethod.objects.exists()


def test_submitting_twice_records_one_payment_method(
    offer, person, frozen_now, django_capture_on_commit_callbacks
):
    draft = draft_until_payment(offer, person)
    first = _submit_by_card(draft, django_capture_on_commit_callbacks)
    second = _submit_by_card(draft, django_capture_on_commit_callbacks)
    assert first.pk == second.pk
    assert PaymentMethod.objects.filter(subscription=first).count() == 1


def test_approval_charges_the_first_period_after_commit(
    offer, person, staff, frozen_now, django_capture_on_commit_callbacks
):
    request = _submit_by_card(
        draft_until_payment(offer, person), django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
        assert not Invoice.objects.exists()  # not inside the approval's transaction
    for callback in callbacks:
        callback()
    invoice = Invoice.objects.get(subscription=request)
    assert (invoice.status, invoice.amount, invoice.period_start) == (
        "paid",
        Decimal("23.08"),
        TODAY,
    )


def test_a_failed_approval_charges_nothing(
    offer, person, staff, frozen_now, django_capture_on_commit_callbacks
):
    request = _submit_by_card(
        draft_until_payment(offer, person), django_capture_on_commit_callbacks
    )
    lifecycle.subscription_refuse(subscription=request, actor=staff, reason="Complet", now=NOW)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    assert not Invoice.objects.exists()


def test_a_product_without_approval_is_charged_at_submission(
    offer, person, frozen_now, django_capture_on_commit_callbacks
):
    offer.product.approval_required = False
    offer.product.save()
    request = _submit_by_card(
        draft_until_payment(offer, person), django_capture_on_commit_callbacks
    )
    assert request.status == Subscription.Status.ACTIVE
    assert Invoice.objects.get(subscription=request).status == "paid"


def test_a_submission_queues_one_task_which_queues_its_follow_ups_in_order(
    offer, person, frozen_now, django_capture_on_commit_callbacks
):
    offer.product.approval_required = False
    offer.product.save()
    queued: list[str] = []

    def record(sender, task_result, **kwargs) -> None:
        queued.append(task_result.task.name)

    task_enqueued.connect(record)
    try:
        _submit_by_card(draft_until_payment(offer, person), django_capture_on_commit_callbacks)
    finally:
        task_enqueued.disconnect(record)
    assert queued[:4] == [
        "submission_follow_up",  # the only INSERT of the request itself
        "vault_card",  # the card is in the vault ...
        "send_subscription_email",
        "collect_first_invoice",  # ... before the first charge
    ]


@pytest.mark.parametrize("decision", ["refuse", "withdraw"])
def test_a_refused_or_withdrawn_request_forgets_its_card(
    offer, person, staff, decision, frozen_now, django_capture_on_commit_callbacks
):
    request = _submit_by_card(
        draft_until_payment(offer, person), django_capture_on_commit_callbacks
    )
    data_key = _method(request).data_key
    assert SandboxCard.objects.filter(token=data_key).exists()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "refuse":
            lifecycle.subscription_refuse(subscription=request, actor=staff, reason="Non", now=NOW)
        else:
            lifecycle.subscription_cancel_pending(subscription=request, actor=person, now=NOW)
    method = _method(request)
    assert method.status == PaymentMethod.Status.REVOKED
    assert (method.data_key, method.card_last4, method.card_expiry) == ("", "", "")
    assert not SandboxCard.objects.filter(token=data_key).exists()  # out of the vault
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("approval_required", [True, False])
def test_a_card_the_vault_refuses_cancels_the_request_like_a_declined_charge(
    offer, person, frozen_now, django_capture_on_commit_callbacks, approval_required
):
    offer.product.quantity = 10
    offer.product.approval_required = approval_required
    offer.product.save()
    request = _submit_by_card(
        draft_until_payment(offer, person), django_capture_on_commit_callbacks, DECLINED_CARD
    )
    request.refresh_from_db()
    assert request.status == Subscription.Status.PAYMENT_FAILED
    assert (request.holds_unit, request.cancelled_at) == (False, NOW)
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 0  # back on sale
    method = _method(request)
    assert (method.status, method.temporary_token, method.data_key) == ("revoked", "", "")
    declined = OutboundEmail.objects.filter(dedupe_key__startswith="billing_payment_declined:")
    assert list(declined.values_list("to", flat=True)) == ["john@example.com"]
    assert AuditEvent.objects.filter(action="subscription.payment_declined").count() == 1
    assert not Invoice.objects.filter(status=Invoice.Status.PAID).exists()

    # The task run again (or the first charge meeting the refusal) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            worker_call(
                vault_card, organization_id=method.organization_id, payment_method_id=method.pk
            )
            == "revoked"
        )
    assert declined.count() == 1
    assert AuditEvent.objects.filter(action="subscription.payment_declined").count() == 1


def _submit_by_pad(offer, person, capture):
    LegalText.objects.get_or_create(
        organization=offer.product.organization,
        kind=LegalText.Kind.PAD_AGREEMENT,
        version=1,
        defaults={"body_fr": "Accord DPA", "published_at": NOW},
    )
    payment = lifecycle.PadPayment(
        institution="815",
        transit="00123",
        account="1234567",
        holder_name="John Tremblay",
        holder_kind="personal",
        cheque_file=SimpleUploadedFile("cheque.pdf", PDF, content_type="application/pdf"),
        agreement_accepted=True,
    )
    with capture(execute=True):
        return submit(draft_until_payment(offer, person), method="pad", payment=payment)


@pytest.mark.parametrize("decision", ["refuse", "withdraw"])
def test_a_refused_or_withdrawn_request_destroys_its_bank_account(
    offer, person, staff, frozen_now, django_capture_on_commit_callbacks, decision
):
    request = _submit_by_pad(offer, person, django_capture_on_commit_callbacks)
    cheque = Path(_method(request).cheque_specimen.path)
    assert cheque.exists()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "refuse":
            lifecycle.subscription_refuse(subscription=request, actor=staff, reason="Non", now=NOW)
        else:
            lifecycle.subscription_cancel_pending(subscription=request, actor=person, now=NOW)
    method = _method(request)
    assert (method.status, method.revoked_at) == (PaymentMethod.Status.REVOKED, NOW)
    assert method.pad_confirmation_sent_at is None
    assert (method.bank_institution, method.bank_transit, method.bank_account_encrypted) == (
        "",
        "",
        "",
    )
    assert (method.holder_name, method.cheque_specimen.name) == ("", "")
    assert method.bank_account_last_digits == "4567"
    assert not cheque.exists()
    revoked = AuditEvent.objects.get(action="payments.pad_revoked")
    assert revoked.actor == (staff if decision == "refuse" else person)
    assert AuditEvent.objects.filter(action="payments.pad_forgotten").count() == 1
    assert not Invoice.objects.exists()


def test_a_bank_account_sold_out_at_the_last_step_leaves_no_cheque_file(
    offer, person, frozen_now, django_capture_on_commit_callbacks, monkeypatch
):
    folder = Path(settings.MEDIA_ROOT) / "private" / "cheques" / str(offer.product.organization_id)
    before = set(folder.iterdir()) if folder.exists() else set()
    # Another buyer took the last unit between the read and the quota's UPDATE.
    monkeypatch.setattr(lifecycle, "product_unit_take", lambda **_: False)
    with pytest.raises(SoldOut):
        _submit_by_pad(offer, person, django_capture_on_commit_callbacks)
    after = set(folder.iterdir()) if folder.exists() else set()
    assert after == before
    assert not PaymentMethod.objects.exists()
    assert not Subscription.objects.exclude(status=Subscription.Status.DRAFT).exists()


def test_pad_errors_come_with_the_consents_errors_and_nothing_is_recorded(offer, person):
    LegalText.objects.create(
        organization=offer.product.organization,
        kind=LegalText.Kind.PAD_AGREEMENT,
        version=1,
        body_fr="Accord DPA",
        published_at=NOW,
    )
    draft = draft_until_payment(offer, person)
    payment = lifecycle.PadPayment(
        institution="81",
        transit="00123",
        account="1234567",
        holder_name="John Tremblay",
        holder_kind="personal",
        cheque_file=None,
        agreement_accepted=False,
    )
    with pytest.raises(FieldErrors) as refused:
        submit(draft, method="pad", payment=payment, accepted_payment_conditions=False)
    assert set(refused.value.errors) == {
        "accepted_payment_conditions",
        "institution",
        "cheque_file",
        "agreement_accepted",
    }
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert not PaymentMethod.objects.exists()
    assert not Consent.objects.filter(kind=Consent.Kind.PAYMENT_CONDITIONS).exists()


def test_a_pad_approval_sends_the_confirmation_ten_days_before_the_first_debit(
    offer, person, staff, frozen_now, django_capture_on_commit_callbacks, mailoutbox
):
    request = _submit_by_pad(offer, person, django_capture_on_commit_callbacks)
    assert _method(request).pad_confirmation_sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    method = _method(request)
    assert (method.status, method.pad_confirmation_sent_at) == ("active", NOW)
    confirmation = [m for m in mailoutbox if "prélèvement" in m.subject.lower()]
    assert len(confirmation) == 1
    first_debit = formats.date_format(TODAY + dt.timedelta(days=10), "DATE_FORMAT")
    assert first_debit in confirmation[0].body


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_with_the_database_backend_the_follow_up_commits_or_rolls_back_with_the_request(
    offer, person, database_tasks
):
    offer.product.quantity = 1
    offer.product.save()
    sent = submit(draft_until_payment(offer, person))
    queued = DBTaskResult.objects.get()  # in the submission's transaction, not after it
    assert queued.task_path == "parcauto.sales.tasks.submission_follow_up"
    assert queued.args_kwargs["kwargs"]["subscription_id"] == sent.pk

    late = draft_until_payment(offer, ProfileFactory().user)
    late.product.units_taken = 0  # read before the first buyer took the last unit
    with pytest.raises(SoldOut):  # the unit's UPDATE refuses, after the task row is written
        submit(late)
    assert DBTaskResult.objects.count() == 1  # the refused one's rolled back


@pytest.mark.django_db(transaction=True)  # the worker closes and opens connections
def test_the_database_worker_runs_the_follow_up_then_what_it_queued(
    offer, person, frozen_now, database_tasks
):
    request = submit(
        draft_until_payment(offer, person),
        payment=lifecycle.CardPayment(temporary_token=_card_token()),
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert set(DBTaskResult.objects.values_list("task_path", "status")) >= {
        ("parcauto.sales.tasks.submission_follow_up", "SUCCESSFUL"),
        ("parcauto.sales.tasks.vault_card", "SUCCESSFUL"),
        ("parcauto.subscriptions.emails.send_subscription_email", "SUCCESSFUL"),
    }
    assert _method(request).status == PaymentMethod.Status.ACTIVE
    assert OutboundEmail.objects.filter(to=person.email, template="subscription_submitted").exists()
