"""A person's consent log: each thing they agreed to, which text and version, when, and
when they withdrew it (Law 25, s. 14: consent per purpose, withdrawable).

Read from where each consent is kept: the boxes ticked for a contract (subscriptions'
Consent, with the legal text's version), the pre-authorized debit agreements and payroll
authorizations (revoked with their means of payment), and the optional e-mails (given by
default at sign-up, withdrawn and given again in PARAMÈTRES: notifications' EmailOptOut).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.catalog.models import PaymentMethodKind
from parcauto.notifications.models import EmailOptOut
from parcauto.notifications.topics import EmailTopic
from parcauto.payments.models import PaymentMethod
from parcauto.subscriptions.models import Consent
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True, kw_only=True)
class ConsentEntry:
    purpose: StrOrPromise
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    institution: str = ""
    contract_number: int | None = None
    text: StrOrPromise = ""
    version: int | None = None
    email_topic: str = ""  # withdrawn or given again in PARAMÈTRES > Langue et courriels


def consent_log_for(*, person: User) -> list[ConsentEntry]:
    """Every consent of the person, newest first."""
    entries: list[ConsentEntry] = []
    for organization in institutions_each():
        with scope(organization=organization):
            entries += _contract_consents(person, organization)
            entries += _payment_authorizations(person, organization)
    entries += _email_consents(person)
    return sorted(entries, key=lambda e: e.given_at, reverse=True)


def _contract_consents(person: User, organization: Organization) -> list[ConsentEntry]:
    consents = Consent.objects.filter(
        organization=organization, subscription__person=person
    ).select_related("subscription", "legal_text")
    payroll_revoked = dict(
        PaymentMethod.objects.filter(
            organization=organization, person=person, kind=PaymentMethodKind.PAYROLL
        )
        .exclude(revoked_at=None)
        .values_list("subscription_id", "revoked_at")
    )
    return [
        ConsentEntry(
            purpose=consent.get_kind_display(),
            given_at=consent.accepted_at,
            withdrawn_at=payroll_revoked.get(consent.subscription_id)
            if consent.kind == Consent.Kind.PAYROLL_AUTHORIZATION
            else None,
            institution=organization.name,
            contract_number=consent.subscription.contract_number,
            text=consent.legal_text.get_kind_display() if consent.legal_text else "",
            version=consent.legal_text.version if consent.legal_text else None,
        )
        for consent in consents
    ]


def _payment_authorizations(person: User, organization: Organization) -> list[ConsentEntry]:
    methods = PaymentMethod.objects.filter(
        organization=organization,
        person=person,
        kind=PaymentMethodKind.PAD,
        pad_agreement_accepted_at__isnull=False,
    ).select_related("subscription", "pad_agreement")
    return [
        ConsentEntry(
            purpose=_("Pre-authorized debit agreement"),
            given_at=method.pad_agreement_accepted_at,
            withdrawn_at=method.revoked_at,
            institution=organization.name,
            contract_number=method.subscription.contract_number,
            text=method.pad_agreement.get_kind_display() if method.pad_agreement else "",
            version=method.pad_agreement.version if method.pad_agreement else None,
        )
        for method in methods
        if method.pad_agreement_accepted_at is not None
    ]


def _email_consents(person: User) -> list[ConsentEntry]:
    """Per optional topic, each period it was wanted: from sign-up (the default) or from
    the moment it was wanted again, until it was refused."""
    refusals: dict[str, list[EmailOptOut]] = {}
    for opt_out in EmailOptOut.objects.filter(person=person).order_by("since", "pk"):
        refusals.setdefault(opt_out.topic, []).append(opt_out)
    entries = []
    for topic in EmailTopic:
        given_at: dt.datetime | None = person.date_joined
        for refusal in refusals.get(topic.value, []):
            if given_at is not None:
                entries.append(_email_entry(topic, given_at, refusal.since))
            given_at = refusal.until
        if given_at is not None:
            entries.append(_email_entry(topic, given_at, None))
    return entries


def _email_entry(
    topic: EmailTopic, given_at: dt.datetime, withdrawn_at: dt.datetime | None
) -> ConsentEntry:
    return ConsentEntry(
        purpose=_("Optional e-mails: %(topic)s") % {"topic": topic.label},
        given_at=given_at,
        withdrawn_at=withdrawn_at,
        email_topic=topic.value,
    )
