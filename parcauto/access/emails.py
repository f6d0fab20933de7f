"""The e-mail "Votre carte d'accès virtuelle" (guide 000), sent when a contract becomes
active: the QR code, a link to the pass page, and the wallets' buttons.

The QR code opens the gate: it travels only in the sealed copy of the message (inline
image), as a personal link does, and the outbox keeps a copy without it
(`notifications.sealing`). Whatever else a wallet adds (a save link carrying the token)
is named as a secret by its extra (`PARCAUTO_PASS_EMAIL_EXTRAS`) and redacted likewise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils.module_loading import import_string
from django_scopes import scope

from parcauto.core.clock import now
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.notifications.services import Attachment, email_send_template
from parcauto.subscriptions.models import Subscription

from .models import AccessPass
from .qr import qr_png
from .selectors import pass_card

TEMPLATE = "access_pass"
QR_CONTENT_ID = "carte-acces-qr"


def pass_email_queue(*, access_pass: AccessPass, contract: Subscription) -> None:
    """Queue the e-mail with the current transaction (call it inside)."""
    enqueue_with_transaction(
        send_pass_email,
        organization_id=contract.organization_id,
        pass_id=access_pass.pk,
        subscription_id=contract.pk,
    )


def _extras(access_pass: AccessPass, contract: Subscription) -> dict[str, Any]:
    """What the wallets add (`PARCAUTO_PASS_EMAIL_EXTRAS`: dotted callables taking
    `access_pass` and `contract`, returning context; its "secrets" list is redacted)."""
    context: dict[str, Any] = {"secrets": []}
    for path in settings.PARCAUTO_PASS_EMAIL_EXTRAS:
        extra = dict(import_string(path)(access_pass=access_pass, contract=contract))
        context["secrets"] += list(extra.pop("secrets", []))
        context.update(extra)
    return context


@task()
def send_pass_email(*, organization_id: int, pass_id: int, subscription_id: int) -> None:
    """One e-mail per (pass, contract), however often the task runs."""
    with scope(organization=organization_id):
        access_pass = AccessPass.objects.filter(pk=pass_id).first()
        contract = (
            Subscription.objects.select_related("organization", "person", "product", "lot")
            .filter(pk=subscription_id)
            .first()
        )
        if access_pass is None or contract is None:
            return
        card = pass_card(access_pass=access_pass, contract=contract, now=now())
        if card.token is None:
            return  # no key opens it: the pass page offers a new code
        extras = _extras(access_pass, contract)
        secrets = [card.token, *extras.pop("secrets")]
        email_send_template(
            template=TEMPLATE,
            to=contract.person.email,
            context={
                "card": card,
                "subscription": contract,
                "person": contract.person,
                "qr_content_id": QR_CONTENT_ID,
                # Issued for an earlier term: the card in the wallet was updated in place.
                "renewed": access_pass.created_at < (contract.submitted_at or contract.created_at),
                "operator_short_name": settings.PARCAUTO_OPERATOR_SHORT_NAME,
                **extras,
            },
            language=contract.person.language,
            organization=contract.organization,
            secrets=secrets,
            sealed_attachments=[
                Attachment(
                    filename="carte-acces.png",
                    content=qr_png(card.token),
                    mimetype="image/png",
                    content_id=QR_CONTENT_ID,
                )
            ],
            dedupe_key=f"{TEMPLATE}:{access_pass.pk}:{contract.pk}",
        )
