"""Erasing a closed account's personal data, and what is kept instead.

Kept, for seven years (tax records: Quebec's Tax Administration Act, s. 35, keeps them six
years after the last year they concern): the contracts with their consents, the invoices,
refunds and payment records (masked), and the audit trail; and, only when invoices exist,
the name on the account, since a receipt of $150 or more names its purchaser (rule 4).
None of them keeps a way to reach the person: the e-mail address becomes
`ferme-<id>@compte-ferme.invalid`; the profile (address, phones), e-mail addresses,
authenticators, vehicles and their history, files (proofs, cheques, downloads), drafts,
waiting lists, grants, bank and card details, employee number, school, the plates of
access events and the e-mails sent are deleted; the audit trail's copies of the e-mail
addresses are replaced.

The confirmation leaves first (`account_close` queued it): the erasure delivers it
itself when the mail task has not yet. A relay that refuses it, or a card vault that
fails, leaves the closure pending, tried again by the daily retention job; after
`CONFIRMATION_WAIT` without the message leaving, the data is erased all the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import Q
from django_scopes import scope

from parcauto.access.models import AccessEvent
from parcauto.access.services.grants import grants_forget_plates
from parcauto.accounts.models import Profile, User
from parcauto.audit.models import AuditEvent
from parcauto.audit.services import audit_log
from parcauto.billing.models import Invoice
from parcauto.catalog.models import PaymentMethodKind, ProductGrant
from parcauto.notifications.delivery import email_deliver
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.models import PaymentMethod
from parcauto.payments.services.cards import card_method_forget
from parcauto.payments.services.pad import pad_method_forget
from parcauto.servicedesk.models import ServiceAttachment, ServiceMessage, ServiceRequest
from parcauto.subscriptions.models import Attachment, Subscription, WaitingListEntry
from parcauto.subscriptions.services.drafts import subscription_draft_discard
from parcauto.subscriptions.services.waitlist import waitlist_withdraw
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each
from parcauto.vehicles.models import Vehicle

from ..export_content import addresses_of
from ..files import file_delete_on_commit
from ..models import AccountClosure, DataExport

logger = logging.getLogger(__name__)

ERASED = "[effacé]"
# How long a closure waits for its confirmation to leave before erasing anyway.
CONFIRMATION_WAIT = dt.timedelta(days=3)


def pseudonym_email(person: User) -> str:
    """The address a closed account keeps: unique, and reaching nobody (.invalid, RFC 2606)."""
    return f"ferme-{person.pk}@compte-ferme.invalid"


def account_erase(*, closure_id: int, now: dt.datetime) -> bool:
    """Erase a closed account once its confirmation has left; False when it already was
    erased, or must wait for the confirmation. Run twice, changes nothing."""
    closure = AccountClosure.objects.select_related("person").get(pk=closure_id)
    if closure.erased_at is not None or not _confirmation_left(closure, now):
        return False
    person = closure.person
    for organization in institutions_each():
        with scope(organization=organization):
            _cards_forget(person, organization, now)  # the gateway: outside a transaction
    addresses = addresses_of(person)
    with transaction.atomic():
        if not AccountClosure.objects.filter(pk=closure.pk, erased_at__isnull=True).update(
            erased_at=now
        ):
            return False
        kept_invoices = False
        counts: dict[str, int] = {}
        for organization in institutions_each():
            with scope(organization=organization):
                kept_invoices |= _institution_erase(person, organization, now, counts)
        counts |= _account_erase(person, addresses, closure, keep_name=kept_invoices)
        audit_log(action="privacy.account_erased", actor=None, target=person, data=counts)
    return True


def _confirmation_left(closure: AccountClosure, now: dt.datetime) -> bool:
    """Whether the confirmation was sent (sending it now if the mail task has not yet).

    A relay that refuses it holds the erasure back for `CONFIRMATION_WAIT` at most: past
    that, the person's data goes anyway (the message, addressed to nobody, then never
    leaves).
    """
    email_id = closure.confirmation_email_id
    if email_id is None:
        return True
    try:
        email_deliver(email_id=email_id)
    except Exception:  # refused or unreachable: recorded on the message by the outbox
        logger.warning("the confirmation of closed account %s was not sent", closure.person_id)
    sent = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENT).exists()
    return sent or now - closure.requested_at >= CONFIRMATION_WAIT


def _cards_forget(person: User, organization: Organization, now: dt.datetime) -> None:
    for method in PaymentMethod.objects.filter(
        organization=organization, person=person, kind=PaymentMethodKind.CARD
    ).exclude(data_key="", card_last4="", temporary_token=""):
        card_method_forget(payment_method=method, now=now)


def _institution_erase(
    person: User, organization: Organization, now: dt.datetime, counts: dict[str, int]
) -> bool:
    """This institution's rows of the person; whether invoices are kept for it."""
    mine = Subscription.objects.filter(organization=organization, person=person)
    for draft in mine.filter(status=Subscription.Status.DRAFT):
        subscription_draft_discard(subscription=draft, actor=None)
    attachments = Attachment.objects.filter(organization=organization, subscription__in=mine)
    for attachment in attachments:
        file_delete_on_commit(attachment.file)
    _count(counts, "files", attachments.delete()[0])
    mine.update(employee_number="", school="", internship_discipline="", updated_at=now)
    for method in PaymentMethod.objects.filter(organization=organization, person=person):
        if method.kind == PaymentMethodKind.PAD:
            pad_method_forget(payment_method=method, now=now)
    PaymentMethod.objects.filter(organization=organization, person=person).update(
        employee_number="", holder_name="", updated_at=now
    )
    places = WaitingListEntry.objects.filter(organization=organization, person=person)
    for place in places.filter(
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    ):
        # A unit offered to the person goes on to the next one in line.
        waitlist_withdraw(entry=place, actor=person, now=now)
    _count(counts, "waiting_lists", places.delete()[0])
    _count(
        counts,
        "grants",
        ProductGrant.objects.filter(organization=organization, user=person).delete()[0],
    )
    grants_forget_plates(contracts=mine, now=now)
    AccessEvent.objects.filter(organization=organization, subscription__in=mine).update(
        plate="", jurisdiction="", subscription=None
    )
    _requests_erase(person, organization, now, counts)
    return Invoice.objects.filter(organization=organization, subscription__in=mine).exists()


def _requests_erase(
    person: User, organization: Organization, now: dt.datetime, counts: dict[str, int]
) -> None:
    """Requests to the service centre keep their number, kind, state and dates (the
    institution's record of what it was asked); what the person wrote and sent goes."""
    requests = ServiceRequest.objects.filter(organization=organization, person=person)
    files = ServiceAttachment.objects.filter(organization=organization, request__in=requests)
    for attachment in files:
        file_delete_on_commit(attachment.file)
    _count(counts, "files", files.delete()[0])
    ServiceMessage.objects.filter(organization=organization, request__in=requests).update(
        body=ERASED
    )
    _count(
        counts,
        "requests",
        requests.update(
            contact_email=pseudonym_email(person),
            full_name=ERASED,
            subject=ERASED,
            text=ERASED,
            updated_at=now,
        ),
    )


def _account_erase(
    person: User, addresses: list[str], closure: AccountClosure, *, keep_name: bool
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for export in DataExport.objects.filter(person=person):
        file_delete_on_commit(export.file)
    _count(counts, "data_downloads", DataExport.objects.filter(person=person).delete()[0])
    _count(counts, "vehicles", Vehicle.objects.filter(owner=person).delete()[0])
    profile = Profile.objects.filter(user=person).first()
    if profile is not None:
        if keep_name:  # the receipts read it from the profile, then from the account
            person.first_name, person.last_name = profile.first_name, profile.last_name
        profile.delete()
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    to_them = Q()
    for address in addresses:
        to_them |= Q(to__iexact=address)
    sent = OutboundEmail.objects.filter(to_them)
    # A confirmation that left stays as the proof it was sent, addressed to nobody; one the
    # relay never took goes with the rest (nothing may send it on to a closed account).
    proof = sent.filter(pk__in=[closure.confirmation_email_id], status=OutboundEmail.Status.SENT)
    _count(counts, "emails", sent.exclude(pk__in=proof.values("pk")).delete()[0])
    pseudonym = pseudonym_email(person)
    proof.update(to=pseudonym)
    _audit_trail_scrub(person, addresses)
    person.email = pseudonym
    if not keep_name:
        person.first_name = person.last_name = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    return counts


def _audit_trail_scrub(person: User, addresses: list[str]) -> None:
    """The events about the person keep what happened, not the addresses they quoted."""
    about = AuditEvent.objects.filter(
        Q(actor=person) | Q(target_type="accounts.user", target_id=str(person.pk))
    ).exclude(data={})
    for event in about:
        scrubbed = _scrub(event.data, addresses)
        if scrubbed != event.data:
            AuditEvent.objects.filter(pk=event.pk).update(data=scrubbed)


def _scrub(value: Any, addresses: list[str]) -> Any:
    if isinstance(value, dict):
        return {key: _scrub(item, addresses) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, addresses) for item in value]
    if isinstance(value, str) and any(a in value.lower() for a in addresses):
        return ERASED
    return value


def _count(counts: dict[str, int], kind: str, number: int) -> None:
    if number:
        counts[kind] = counts.get(kind, 0) + number


def closures_pending(*, before: dt.datetime) -> list[int]:
    """Closures asked before `before` and not erased yet (a mail relay or vault was down)."""
    return list(
        AccountClosure.objects.filter(erased_at__isnull=True, requested_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
