"""The e-mail "Votre carte d'accès virtuelle SPAQ": sent once when the contract becomes
active, with the QR code inline in the copy that is sent, and never in the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from parcauto.access.models import AccessPass
from parcauto.access.qr import qr_png
from parcauto.access.services import access_sync
from parcauto.access.tokens import token_unseal
from parcauto.notifications.models import OutboundAttachment, OutboundEmail
from parcauto.subscriptions.models import Subscription
from tests.access.conftest import add_vehicle, at, contract

pytestmark = pytest.mark.django_db

NOW = at(dt.date(2026, 8, 24), 6)


def _activate(product, person, django_capture_on_commit_callbacks) -> Subscription:
    add_vehicle(person, plate="ABC123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    with django_capture_on_commit_callbacks(execute=True):
        access_sync(subscription=subscription, now=NOW)
    return subscription


def test_the_email_carries_the_qr_code_in_the_sent_copy_only(
    product, person, django_capture_on_commit_callbacks
):
    subscription = _activate(product, person, django_capture_on_commit_callbacks)
    token = token_unseal(AccessPass.objects.get(subscription=subscription).token_sealed)

    [stored] = OutboundEmail.objects.filter(template="access_pass")
    assert stored.subject == "CIUSSS de l'Estrie - CHUS · Votre carte d'accès virtuelle SPAQ"
    assert stored.status == OutboundEmail.Status.SENT and stored.sealed == ""
    assert not OutboundAttachment.objects.filter(email=stored).exists()
    assert token not in stored.body_text + stored.body_html
    assert "ABC123" in stored.body_text and str(subscription.contract_number) in stored.body_text
    assert "/abonnements/" in stored.body_text and "carte-acces/" in stored.body_text

    [sent] = mail.outbox
    assert sent.to == [person.email]
    html = sent.alternatives[0].content
    assert 'src="cid:carte-acces-qr"' in html
    [image] = [part for part in sent.attachments if not isinstance(part, tuple)]
    assert image["Content-ID"] == "<carte-acces-qr>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == qr_png(token)


def test_the_email_is_sent_once_per_contract(product, person, django_capture_on_commit_callbacks):
    subscription = _activate(product, person, django_capture_on_commit_callbacks)
    for status in (Subscription.Status.SUSPENDED, Subscription.Status.ACTIVE):
        Subscription.objects.filter(pk=subscription.pk).update(status=status)
        with django_capture_on_commit_callbacks(execute=True):
            access_sync(subscription=subscription, now=NOW)
    assert OutboundEmail.objects.filter(template="access_pass").count() == 1


def test_it_is_in_english_for_a_person_who_chose_english(
    product, person, django_capture_on_commit_callbacks
):
    person.language = "en"
    person.save(update_fields=["language"])
    _activate(product, person, django_capture_on_commit_callbacks)
    [stored] = OutboundEmail.objects.filter(template="access_pass")
    assert stored.subject.endswith("Your SPAQ virtual access card")
    assert "present its QR code to the reader" in stored.body_text
