"""Step 5, "Paiement": VOTRE ABONNEMENT, each method, refused input kept, one click once."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.payments.models import PaymentMethod
from parcauto.sales import services as lifecycle
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import LegalText
from tests.factories import ProfileFactory
from tests.pages import NBSP, PDF, page, text
from tests.portal import test_subscription_wizard as wizard
from tests.portal.test_subscription_wizard import NOW, PAYMENT, card_payment, draft_of, to_payment

# The wizard's CHUS-like offer, person and frozen clock.
chus, john = wizard.chus, wizard.john

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

GOOD_CARD = "4242424242424242"


@pytest.fixture
def pad_agreement(organization):
    return LegalText.objects.create(
        organization=organization,
        kind=LegalText.Kind.PAD_AGREEMENT,
        version=2,
        body_fr="Accord de prélèvement préautorisé du CHUS.",
        published_at=NOW,
    )


@pytest.fixture
def draft(portal_client, chus, john):
    return to_payment(portal_client, chus, john)


def pad_payment(draft: Subscription, **changes: object) -> dict[str, object]:
    return {
        "request": draft.pk,
        "payment_method": "pad",
        "institution": "815",
        "transit": "00123",
        "account": "1234567",
        "holder_name": "John Tremblay",
        "holder_kind": "personal",
        "cheque_file": SimpleUploadedFile("cheque.pdf", PDF, content_type="application/pdf"),
        "agreement_accepted": "on",
        "accepted_payment_conditions": "on",
        "accepted_charge_after_approval": "on",
    } | changes


def methods_of(draft: Subscription) -> list[PaymentMethod]:
    return list(PaymentMethod.objects.filter(subscription=draft))


# --- what the step shows --------------------------------------------------------------------


def test_your_subscription_shows_the_prorated_first_period_with_its_taxes(portal_client, draft):
    words = text(portal_client.get(PAYMENT))
    assert "Ajouter une carte de crédit" in words
    assert "Étape 5 de 5" in words
    assert "Stationnement ou organisme 1085 -" in words
    assert "Service 5569 - Permis G (général zone 1) - Superviseur de stage-épisodique" in words
    assert f"Mensualité du service 23,08{NBSP}$ (par mois, taxes incluses)" in words
    # 16 days of June's 30: 23,08 $ x 16 / 30 = 12,31 $ = 10,70 + 0,54 GST + 1,07 QST.
    assert (
        f"Prix pour la période en cours 12,31{NBSP}$ (du 15 juin 2026 au 30 juin 2026) "
        f"Avant taxes 10,70{NBSP}$ TPS 0,54{NBSP}$ TVQ 1,07{NBSP}$ taxes incluses" in words
    )


def test_only_the_methods_the_product_and_the_category_allow_are_offered(portal_client, draft):
    html = page(portal_client.get(PAYMENT))
    radios = re.findall(r'name="payment_method" value="(\w+)"', html)
    assert radios == ["card", "pad"]  # the product takes payroll, the category does not
    assert 'data-method-section="payroll"' not in html


def test_without_javascript_every_method_shows_its_section(portal_client, draft, pad_agreement):
    response = portal_client.get(PAYMENT)
    html = page(response)
    for method in ("card", "pad"):
        section = re.search(
            rf'<div class="method-section" data-method-section="{method}"[^>]*>', html
        )
        assert section is not None and "hidden" not in section.group(0)
    words = text(response)
    assert "2. Rajoutez vos informations bancaires" in words
    # The card: the gateway's iframe, never a card-number field of ours.
    assert "data-card-iframe" in html
    assert 'name="card_token"' in html
    assert 'name="card_number"' not in html and 'autocomplete="cc-number"' not in html
    # The bank account: the numbers, the cheque, its help with the five callouts.
    for label in ("Numéro de l'institution", "Numéro de transit", "Numéro de compte"):
        assert label in words
    assert "Obtenir de l'aide" in words
    legend = re.search(r'<ol class="cheque-legend">(.*?)</ol>', html, re.S)
    assert legend is not None
    assert re.findall(r"<li>([^<]+)</li>", legend.group(1)) == [
        "Adresse de l'institution financière",
        "Numéro de transit",
        "Numéro de l'institution",
        "Numéro de compte",
        "Chiffre vérificateur",
    ]
    assert 'role="img" aria-labelledby="cheque-title cheque-desc"' in html
    assert "Accord de prélèvement préautorisé du CHUS." in words
    assert "J'accepte l'accord de prélèvement préautorisé" in words
    # "Soumettre" for a card, "Ajouter" for a bank account, and "Annuler".
    form = html[
        html.index("data-payment-form") : html.index("</form>", html.index("data-payment-form"))
    ]
    assert re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', form) == [
        "Soumettre",
        "Ajouter",
    ]
    assert words.count("Annuler") >= 2
    assert 'src="/static/portal/payment.js"' in html


# --- card -----------------------------------------------------------------------------------


def test_a_card_token_is_recorded_with_the_request_and_the_card_vaulted_after(
    portal_client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_client.post(PAYMENT, card_payment(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.SUBMITTED
    method = PaymentMethod.objects.get(subscription=draft)
    assert (method.kind, method.status) == (PaymentMethodKind.CARD, PaymentMethod.Status.ACTIVE)
    assert (method.card_last4, method.temporary_token) == ("4242", "")
    assert method.data_key


def test_a_double_clicked_submit_submits_once_and_records_one_payment_method(portal_client, draft):
    data = card_payment(draft)
    first = portal_client.post(PAYMENT, data)
    second = portal_client.post(PAYMENT, data)
    assert first.url == second.url == f"/abonnements/{draft.pk}/"
    assert Subscription.objects.filter(pk=draft.pk, status="submitted").count() == 1
    assert PaymentMethod.objects.filter(subscription=draft).count() == 1


def test_a_card_never_read_by_the_iframe_is_refused_and_nothing_is_sent(portal_client, draft):
    response = portal_client.post(PAYMENT, card_payment(draft) | {"card_token": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Votre carte n'a pas pu être lue. Saisissez le numéro de la carte et sa date "
        "d'expiration, puis soumettez de nouveau."
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.contract_number) == (Subscription.Status.DRAFT, None)
    assert methods_of(draft) == []


def test_missing_consents_are_refused_with_the_card_kept_out(portal_client, draft):
    data = card_payment(draft)
    del data["accepted_payment_conditions"]
    response = portal_client.post(PAYMENT, data)
    errors = response.context["form"].errors
    assert errors["accepted_payment_conditions"] == [
        "Acceptez les conditions de paiement pour continuer."
    ]
    assert 'id="form-errors" tabindex="-1"' in page(response)  # focused by payment.js
    assert methods_of(draft) == []


# --- pre-authorized debit ---------------------------------------------------------------------


def test_a_bank_account_is_recorded_encrypted_and_masked(portal_client, draft, pad_agreement):
    response = portal_client.post(PAYMENT, pad_payment(draft))
    assert response.status_code == 302
    method = PaymentMethod.objects.get(subscription=draft)
    assert method.kind == PaymentMethodKind.PAD
    assert (method.bank_institution, method.bank_transit) == ("815", "00123")
    assert method.bank_account_last_digits == "4567"
    assert "1234567" not in method.bank_account_encrypted
    assert method.pad_agreement == pad_agreement
    assert method.holder_kind == "personal"


def test_bad_bank_numbers_keep_what_was_typed_and_ask_for_the_cheque_again(
    portal_client, draft, pad_agreement
):
    response = portal_client.post(
        PAYMENT, pad_payment(draft, transit="12", account="12ab", holder_kind="business")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"transit", "account"}
    html = page(response)
    words = text(response)
    assert (
        "Par sécurité, le navigateur vous demande de choisir de nouveau le spécimen de chèque."
        in words
    )
    for name, value in (
        ("institution", "815"),
        ("transit", "12"),
        ("account", "12ab"),
        ("holder_name", "John Tremblay"),
    ):
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', html), name
    assert re.search(r'value="business" id="[^"]+" checked', html)
    # Each error is announced with its field.
    assert re.search(r'name="transit"[^>]*aria-invalid="true"', html)
    assert re.search(r'aria-describedby="[^"]*id_transit_error1', html)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert methods_of(draft) == []


def test_bank_errors_and_consent_errors_show_together_on_the_first_try(
    portal_client, draft, pad_agreement
):
    data = pad_payment(draft, institution="81", agreement_accepted="")
    del data["accepted_payment_conditions"]
    del data["cheque_file"]
    response = portal_client.post(PAYMENT, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "accepted_payment_conditions",
        "institution",
        "cheque_file",
        "agreement_accepted",
    }
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert methods_of(draft) == []


def test_the_cheque_help_promises_the_limit_the_server_enforces(
    portal_client, draft, pad_agreement
):
    # Issue 13: the help said 10 MB while anything above 5 MB was refused.
    words = text(portal_client.get(PAYMENT))
    assert "Un fichier .jpg, .jpeg, .png ou .pdf (5 Mo au maximum)." in words
    too_big = PDF + b"0" * (5 * 1024 * 1024 + 1 - len(PDF))
    cheque = SimpleUploadedFile("cheque.pdf", too_big, content_type="application/pdf")
    response = portal_client.post(PAYMENT, pad_payment(draft, cheque_file=cheque))
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["cheque_file"]] == [
        f"Le fichier fait 5,0 Mo{NBSP}: le maximum est 5,0 Mo."
    ]
    assert methods_of(draft) == []


def test_a_holder_name_the_bank_file_cannot_carry_is_refused_and_nothing_is_lost(
    portal_client, draft, pad_agreement
):
    # Issue 9, finding 3: accepted here, it used to stop the billing run's CPA-005 files.
    response = portal_client.post(PAYMENT, pad_payment(draft, holder_name="王小明"))
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: [str(e) for e in errors] for name, errors in form.errors.items()} == {
        "holder_name": [
            f"Écrivez le nom en lettres latines, comme votre banque l'écrit{NBSP}: lettres avec "
            "ou sans accents, chiffres, espaces et ponctuation seulement (pas 王 小 明)."
        ]
    }
    html = page(response)
    for name, value in (
        ("institution", "815"),
        ("transit", "00123"),
        ("account", "1234567"),
        ("holder_name", "王小明"),
    ):
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', html), name
    assert re.search(r'name="holder_name"[^>]*aria-invalid="true"', html)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert methods_of(draft) == []


def test_a_bank_account_sold_out_at_the_last_step_keeps_no_cheque_file(
    portal_client, draft, pad_agreement, settings, monkeypatch
):
    folder = Path(settings.MEDIA_ROOT) / "private" / "cheques" / str(draft.organization_id)
    before = set(folder.iterdir()) if folder.exists() else set()
    # Another buyer took the last unit between the read and the quota's UPDATE.
    monkeypatch.setattr(lifecycle, "product_unit_take", lambda **_: False)
    response = portal_client.post(PAYMENT, pad_payment(draft))
    assert response.status_code == 200
    assert "portal/subscriptions/sold_out.html" in [t.name for t in response.templates]
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT
    assert methods_of(draft) == []


# --- payroll deduction ----------------------------------------------------------------------


def test_payroll_deduction_records_the_authorization_and_the_employee_number(
    portal_client, chus, john
):
    chus["category"].accepts_payroll = True
    chus["category"].save()
    draft = to_payment(portal_client, chus, john)
    words = text(portal_client.get(PAYMENT))
    assert "Les utilisateurs en déduction à la source n'ont pas à procéder à cette étape." in words
    assert "J'autorise CIUSSS de l'Estrie - CHUS à retenir sur ma paie" in words
    response = portal_client.post(
        PAYMENT,
        {
            "request": draft.pk,
            "payment_method": "payroll",
            "employee_number": "E-40213",
            "accepted_payment_conditions": "on",
        },
    )
    assert response.status_code == 302
    method = PaymentMethod.objects.get(subscription=draft)
    assert (method.kind, method.employee_number) == (PaymentMethodKind.PAYROLL, "E-40213")
    assert method.payroll_authorized_at == NOW


def test_the_price_of_an_exempt_product_says_so(portal_client, chus, john):
    chus["product"].taxable = False
    chus["product"].price = Decimal("30.00")
    chus["product"].save()
    to_payment(portal_client, chus, john)
    words = text(portal_client.get(PAYMENT))
    assert f"16,00{NBSP}$ (du 15 juin 2026 au 30 juin 2026) exonéré de taxes" in words
    assert "TPS" not in words


def test_the_card_token_from_the_sandbox_is_for_the_card_only(portal_client, draft):
    """A token in the form while the bank account is chosen records no card."""
    token = sandbox_card_tokenize(number=GOOD_CARD, expiry="3012").token
    response = portal_client.post(
        PAYMENT, pad_payment(draft, card_token=token, transit="1") | {"agreement_accepted": ""}
    )
    assert response.status_code == 200
    assert methods_of(draft) == []
    assert draft_of(draft.person) is not None


def test_another_persons_request_cannot_be_submitted_or_paid(portal_client, chus, john):
    marie = ProfileFactory(user__email="marie@example.com").user
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(marie)
    theirs = to_payment(client, chus, marie)
    response = portal_client.post(PAYMENT, card_payment(theirs))
    assert response.status_code == 302
    assert response.url == "/abonnements/nouveau/"  # john has no request of his own
    theirs.refresh_from_db()
    assert (theirs.status, theirs.contract_number) == (Subscription.Status.DRAFT, None)
    assert methods_of(theirs) == []


def test_anonymous_people_are_sent_to_the_login_page(draft):
    response = Client(HTTP_HOST="chus.testserver").post(PAYMENT, card_payment(draft))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert methods_of(draft) == []
