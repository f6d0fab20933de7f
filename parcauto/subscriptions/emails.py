"""E-mails of the subscription journey, rendered and queued by tasks after commit."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.notifications.services import email_send_template

from .contract import contract_attachments
from .models import Subscription, WaitingListEntry

# Templates (notifications/email/<name>-subject.txt, -body.txt, -body.html) by event.
SUBMITTED = "subscription_submitted"
APPROVED = "subscription_approved"
# Guide 000: a permit sold without approval gets a purchase confirmation, conditional on
# the card issuer accepting the charge, never "Votre abonnement est approuvé".
PURCHASED = "subscription_purchased"
REFUSED = "subscription_refused"
CANCELLED = "subscription_cancelled"
WAITLIST_OFFER = "waitlist_offer"


@task()
def send_subscription_email(*, organization_id: int, subscription_id: int, template: str) -> None:
    """One e-mail per (contract, event), however often the task runs."""
    with scope(organization=organization_id):
        subscription = Subscription.objects.select_related(
            "organization", "person", "person__profile", "lot", "category", "product"
        ).get(pk=subscription_id)
        with_contract = template in (APPROVED, PURCHASED)
        attachments = contract_attachments(subscription) if with_contract else []
        email_send_template(
            template=template,
            to=subscription.person.email,
            context={"subscription": subscription, "person": subscription.person},
            language=subscription.person.language,
            organization=subscription.organization,
            attachments=attachments,
            dedupe_key=f"{template}:{subscription.pk}",
        )


@task()
def send_waitlist_offer(*, organization_id: int, entry_id: int) -> None:
    with scope(organization=organization_id):
        entry = WaitingListEntry.objects.select_related(
            "organization", "person", "product", "lot", "category"
        ).get(pk=entry_id)
        email_send_template(
            template=WAITLIST_OFFER,
            to=entry.person.email,
            context={"entry": entry, "person": entry.person},
            language=entry.person.language,
            organization=entry.organization,
            dedupe_key=f"{WAITLIST_OFFER}:{entry.pk}:{entry.offered_at:%Y%m%d%H%M%S}",
        )
