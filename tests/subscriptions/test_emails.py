"""The e-mails of the subscription journey, in French and English, sent once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from parcauto.catalog.models import PermitProduct
from parcauto.notifications.models import OutboundEmail
from parcauto.sales import services as lifecycle
from parcauto.subscriptions import emails
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from tests.factories import UserFactory
from tests.pages import NBSP
from tests.scoping import worker_call
from tests.subscriptions.conftest import NOW, TODAY, draft_until_payment

pytestmark = pytest.mark.django_db

ORG = "CIUSSS de l'Estrie - CHUS"
ORG_EN = "Institution chus"  # the institution's English name (factory default)


def _lines(text: str) -> str:
    """The text with no-break spaces shown as spaces, for readable assertions."""
    return text.replace(NBSP, " ")


@pytest.fixture
def submitted(offer, person) -> Subscription:
    organization = offer.product.organization
    organization.service_centre_phone = "819 346-1110"
    organization.save()
    return lifecycle.subscription_submit(
        subscription=draft_until_payment(offer, person, end=TODAY + dt.timedelta(days=29)),
        payment_method="card",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=NOW,
    )


def _speaks(subscription: Subscription, language: str) -> None:
    """The person's language for e-mails, and the contract language they chose."""
    subscription.person.language = language
    subscription.person.save()
    Subscription.objects.filter(pk=subscription.pk).update(language=language)
    subscription.refresh_from_db()


def _send(capture, template: str, subscription: Subscription) -> OutboundEmail:
    with capture(execute=True):
        worker_call(
            emails.send_subscription_email,
            organization_id=subscription.organization_id,
            subscription_id=subscription.pk,
            template=template,
        )
    return OutboundEmail.objects.get(dedupe_key=f"{template}:{subscription.pk}")


def _approve(subscription: Subscription) -> Subscription:
    return lifecycle.subscription_approve(
        subscription=subscription, actor=UserFactory(email="agent@parcauto.test"), now=NOW
    )


# --- submitted -------------------------------------------------------------------------


def test_the_acknowledgement_in_french(submitted, django_capture_on_commit_callbacks):
    email = _send(django_capture_on_commit_callbacks, emails.SUBMITTED, submitted)
    number = submitted.contract_number
    assert _lines(email.subject) == f"{ORG} · Demande d'abonnement reçue (contrat no {number})"
    text = _lines(email.body_text)
    for line in [
        "Nous avons bien reçu votre demande d'abonnement.",
        f"Numéro de contrat : {number}",
        "Statut de l'abonnement : En attente d'approbation",
        f"Stationnement ou organisme : 1085 - {ORG}",
        "Début de l'abonnement : 1er juin 2026",
        "Fin de l'abonnement : 30 juin 2026",
        "Aucun montant ne sera prélevé avant l'approbation de votre demande.",
        "Un délai de 24 h est nécessaire pour l'activation de votre permis",
        "vous vous exposez à recevoir un constat d'infraction",
        f"https://chus.testserver/abonnements/{submitted.pk}/",
        "819 346-1110",
    ]:
        assert line in text, line
    assert "Nous avons bien reçu votre demande d'abonnement." in email.body_html
    assert "Société Parc-Auto du Québec" in email.body_html  # operator branding
    assert f'href="https://chus.testserver/abonnements/{submitted.pk}/"' in email.body_html
    assert email.to == "john@example.com"
    assert email.language == "fr"
    assert not email.attachments.exists()


def test_the_acknowledgement_in_english(submitted, django_capture_on_commit_callbacks):
    _speaks(submitted, "en")
    email = _send(django_capture_on_commit_callbacks, emails.SUBMITTED, submitted)
    number = submitted.contract_number
    assert email.subject == f"{ORG_EN} · Subscription request received (contract no. {number})"
    for line in [
        "We have received your subscription request.",
        f"Contract number: {number}",
        "Subscription status: Awaiting approval",
        "Start of the subscription: June 1, 2026",
        "allow 24 hours for it to be activated",
    ]:
        assert line in email.body_text, line
    assert email.language == "en"


def test_links_use_plain_http_and_the_dev_port_only_in_debug(
    submitted, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    email = _send(django_capture_on_commit_callbacks, emails.SUBMITTED, submitted)
    assert f"http://chus.testserver:8000/abonnements/{submitted.pk}/" in email.body_text


def test_the_activation_delay_quoted_is_the_configured_one(
    submitted, settings, django_capture_on_commit_callbacks
):
    settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = 48
    email = _send(django_capture_on_commit_callbacks, emails.SUBMITTED, submitted)
    assert "Un délai de 48 h" in _lines(email.body_text)


# --- approved ----------------------------------------------------------------------------


def test_the_approval_carries_the_french_contract(submitted, django_capture_on_commit_callbacks):
    approved = _approve(submitted)
    email = _send(django_capture_on_commit_callbacks, emails.APPROVED, approved)
    number = approved.contract_number
    assert _lines(email.subject) == f"{ORG} · Votre abonnement est approuvé (contrat no {number})"
    text = _lines(email.body_text)
    assert "Bonne nouvelle : votre demande d'abonnement a été acceptée." in text
    assert "Statut de l'abonnement : Actif" in text
    assert "Votre contrat d'abonnement est joint à ce courriel (PDF)." in text
    assert "Un délai de 24 h est nécessaire" in text
    attachments = list(email.attachments.all())
    assert [(a.filename, a.mimetype) for a in attachments] == [
        (f"contrat-{number}.pdf", "application/pdf")
    ]
    assert bytes(attachments[0].content).startswith(b"%PDF-")
    # Delivered with the PDF attached.
    assert len(mail.outbox) == 1
    assert [name for name, _content, _type in mail.outbox[0].attachments] == [
        f"contrat-{number}.pdf"
    ]


def test_an_english_speaking_person_gets_the_french_contract_and_an_english_copy(
    submitted, django_capture_on_commit_callbacks
):
    _speaks(submitted, "en")
    approved = _approve(submitted)
    email = _send(django_capture_on_commit_callbacks, emails.APPROVED, approved)
    number = approved.contract_number
    assert email.subject == f"{ORG_EN} · Your subscription is approved (contract no. {number})"
    assert "Subscription status: Active" in email.body_text
    assert "with an English copy as you requested" in email.body_text
    assert [a.filename for a in email.attachments.all()] == [
        f"contrat-{number}.pdf",
        f"contract-{number}-en.pdf",
    ]


def test_a_contract_starting_later_is_pending_until_its_start(
    offer, person, django_capture_on_commit_callbacks
):
    start = dt.date(2026, 7, 1)
    request = lifecycle.subscription_submit(
        subscription=draft_until_payment(offer, person, start=start),
        payment_method="card",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=NOW,
    )
    approved = _approve(request)
    assert approved.status == Subscription.Status.APPROVED
    email = _send(django_capture_on_commit_callbacks, emails.APPROVED, approved)
    assert "Statut de l'abonnement : En attente jusqu'au 1er juillet 2026" in _lines(
        email.body_text
    )


def test_approving_sends_the_contract_email_once_committed(
    submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _approve(submitted)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith(f"(contrat no {submitted.contract_number})")
    assert OutboundEmail.objects.filter(template=emails.APPROVED).count() == 1


def test_running_the_task_twice_sends_one_email(submitted, django_capture_on_commit_callbacks):
    approved = _approve(submitted)
    _send(django_capture_on_commit_callbacks, emails.APPROVED, approved)
    _send(django_capture_on_commit_callbacks, emails.APPROVED, approved)
    assert OutboundEmail.objects.filter(template=emails.APPROVED).count() == 1
    assert len(mail.outbox) == 1


# --- refused, cancelled ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            "fr",
            "Votre demande d'abonnement n'a pas été acceptée (contrat no {number})",
            [
                "Nous sommes désolés : votre demande d'abonnement no {number}",
                "n'a pas été acceptée.",
                "Motif indiqué par notre centre de services :",
                "Aucune place de stage confirmée.",
                "Aucun montant n'a été prélevé.",
                "https://chus.testserver/abonnements/nouveau/",
            ],
        ),
        (
            "en",
            "Your subscription request was not accepted (contract no. {number})",
            [
                "We are sorry: your subscription request no. {number}",
                "Reason given by our service centre:",
                "Aucune place de stage confirmée.",
                "Nothing has been charged.",
            ],
        ),
    ],
)
def test_the_refusal_gives_the_reason_and_charges_nothing(
    submitted, language, subject, lines, django_capture_on_commit_callbacks
):
    _speaks(submitted, language)
    refused = lifecycle.subscription_refuse(
        subscription=submitted,
        actor=UserFactory(email="agent@parcauto.test"),
        reason="Aucune place de stage confirmée.",
        now=NOW,
    )
    email = _send(django_capture_on_commit_callbacks, emails.REFUSED, refused)
    number = refused.contract_number
    organization = ORG if language == "fr" else ORG_EN
    assert _lines(email.subject) == f"{organization} · " + subject.format(number=number)
    for line in lines:
        assert line.format(number=number) in _lines(email.body_text), line
    assert "Aucune place de stage confirmée." in email.body_html
    assert not email.attachments.exists()


def test_the_refusal_reason_is_escaped_in_html(submitted, django_capture_on_commit_callbacks):
    refused = lifecycle.subscription_refuse(
        subscription=submitted,
        actor=UserFactory(email="agent@parcauto.test"),
        reason="<script>alert(1)</script>",
        now=NOW,
    )
    email = _send(django_capture_on_commit_callbacks, emails.REFUSED, refused)
    assert "<script>" not in email.body_html
    assert "<script>alert(1)</script>" in email.body_text


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "fr",
            "Votre demande d'abonnement a été annulée (contrat no {number})",
            "À votre demande, votre demande d'abonnement no {number}",
        ),
        (
            "en",
            "Your subscription request was cancelled (contract no. {number})",
            "As you asked, your subscription request no. {number}",
        ),
    ],
)
def test_the_withdrawal_is_confirmed(
    submitted, person, language, subject, line, django_capture_on_commit_callbacks
):
    _speaks(submitted, language)
    cancelled = lifecycle.subscription_cancel_pending(subscription=submitted, actor=person, now=NOW)
    email = _send(django_capture_on_commit_callbacks, emails.CANCELLED, cancelled)
    number = cancelled.contract_number
    organization = ORG if language == "fr" else ORG_EN
    assert _lines(email.subject) == f"{organization} · " + subject.format(number=number)
    assert line.format(number=number) in _lines(email.body_text)


# --- waiting list ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            "fr",
            "Une place est disponible pour vous : {product}",
            [
                "Bonne nouvelle : une place s'est libérée pour {product}",
                "Elle vous est réservée jusqu'au 4 juin 2026 à 10 h 00 (heure du Québec).",
                "https://chus.testserver/abonnements/nouveau/",
                "la place sera offerte à la personne suivante",
            ],
        ),
        (
            "en",
            "A place is available for you: {product}",
            [
                "Good news: a place has become available for {product}",
                "It is reserved for you until June 4, 2026 at 10:00 a.m. (Quebec time).",
                "https://chus.testserver/abonnements/nouveau/",
            ],
        ),
    ],
)
def test_the_waiting_list_offer_says_until_when_and_where(
    offer, person, language, subject, lines, django_capture_on_commit_callbacks
):
    person.language = language
    person.save()
    entry = WaitingListEntry.objects.create(
        organization=offer.product.organization,
        product=offer.product,
        person=person,
        lot=offer.lot,
        category=offer.category,
        status=WaitingListEntry.Status.OFFERED,
        offered_at=NOW,
        offer_expires_at=NOW + dt.timedelta(days=3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        worker_call(
            emails.send_waitlist_offer, organization_id=entry.organization_id, entry_id=entry.pk
        )
        worker_call(
            emails.send_waitlist_offer, organization_id=entry.organization_id, entry_id=entry.pk
        )
    email = OutboundEmail.objects.get(template=emails.WAITLIST_OFFER)
    product = str(offer.product.number) + " - "
    product += offer.product.name_fr if language == "fr" else offer.product.name_en
    organization = ORG if language == "fr" else ORG_EN
    assert _lines(email.subject) == f"{organization} · " + subject.format(product=product)
    for line in lines:
        assert line.format(product=product) in _lines(email.body_text), line
    assert len(mail.outbox) == 1


# --- sold without approval: a purchase confirmation (guide 000) ---------------------------


def test_a_permit_sold_without_approval_gets_a_conditional_purchase_confirmation(
    offer, person, django_capture_on_commit_callbacks
):
    PermitProduct.objects.filter(pk=offer.product.pk).update(approval_required=False)
    offer.product.refresh_from_db()
    draft = draft_until_payment(offer, person, end=TODAY + dt.timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        bought = lifecycle.subscription_submit(
            subscription=draft,
            payment_method="card",
            accepted_payment_conditions=True,
            accepted_charge_after_approval=False,
            now=NOW,
        )
    assert bought.status == Subscription.Status.ACTIVE
    assert not OutboundEmail.objects.filter(dedupe_key=f"{emails.APPROVED}:{bought.pk}").exists()
    email = OutboundEmail.objects.get(dedupe_key=f"{emails.PURCHASED}:{bought.pk}")
    number = bought.contract_number
    assert _lines(email.subject) == f"{ORG} · Confirmation d'achat (contrat no {number})"
    text = _lines(email.body_text)
    assert "est approuvé" not in text and "approuvé" not in email.subject
    assert "Bonne nouvelle" not in text  # the approval's words, not a purchase's
    for line in [
        "l'achat de votre titre de stationnement est terminé. Voici votre confirmation d'achat.",
        "Cette confirmation d'achat est conditionnelle à ce que l'émetteur de votre carte de "
        "crédit accepte la transaction.",
        "votre contrat sera automatiquement annulé",
        "Début de l'abonnement : 1er juin 2026",
    ]:
        assert line in text, line
    assert [a.filename for a in email.attachments.all()] == [f"contrat-{number}.pdf"]
