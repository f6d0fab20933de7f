"""E-mails about payments, rendered in the person's language by a task after commit."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.tasks import task
from django_scopes import scope

from parcauto.notifications.services import email_send_template
from parcauto.subscriptions.models import Subscription

from .models import Invoice

# Templates (notifications/email/<name>-subject.txt, -body.txt, -body.html).
PAYMENT_DECLINED = "billing_payment_declined"  # first charge refused: contract cancelled
PAYMENT_FAILED = "billing_payment_failed"  # a monthly charge refused: retried later
SUSPENDED = "billing_suspended"
CANCELLED = "billing_cancelled"


@task()
def send_billing_email(
    *, organization_id: int, subscription_id: int, template: str, invoice_id: int | None
) -> None:
    """One e-mail per (template, contract, invoice and failure count), however often it runs."""
    with scope(organization=organization_id):
        subscription = Subscription.objects.select_related(
            "organization", "person", "person__profile", "lot", "product"
        ).get(pk=subscription_id)
        invoice = Invoice.objects.filter(pk=invoice_id).first() if invoice_id else None
        failures = invoice.failed_attempts if invoice is not None else 0
        email_send_template(
            template=template,
            to=subscription.person.email,
            context={
                "subscription": subscription,
                "person": subscription.person,
                "invoice": invoice,
            },
            language=subscription.person.language,
            organization=subscription.organization,
            dedupe_key=f"{template}:{subscription_id}:{invoice_id or ''}:{failures}",
        )


def billing_email_after_commit(
    *, subscription: Subscription, template: str, invoice: Invoice | None = None
) -> None:
    transaction.on_commit(
        partial(
            send_billing_email.enqueue,
            organization_id=subscription.organization_id,
            subscription_id=subscription.pk,
            template=template,
            invoice_id=invoice.pk if invoice is not None else None,
        )
    )
