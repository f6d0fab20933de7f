"""E-mails of the public notice page: the receipt of a payment, to the address typed."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.notifications.services import Attachment, email_send_template

from .models import NoticePayment
from .receipts import RECEIPT_LANGUAGES, notice_receipt_filename, notice_receipt_pdf

NOTICE_RECEIPT = "notice_receipt"


@task()
def notice_receipt_email(*, organization_id: int, payment_id: int) -> None:
    """The receipt, once per payment however often the task runs, in the page's language."""
    with scope(organization=organization_id):
        payment = NoticePayment.objects.select_related(
            "organization", "notice", "notice__lot", "notice__organization"
        ).get(pk=payment_id)
        if payment.status != NoticePayment.Status.APPROVED or not payment.email:
            return
        language = payment.language if payment.language in RECEIPT_LANGUAGES else "fr"
        email_send_template(
            template=NOTICE_RECEIPT,
            to=payment.email,
            context={"payment": payment, "notice": payment.notice},
            language=language,
            organization=payment.organization,
            attachments=[
                Attachment(
                    filename=notice_receipt_filename(payment, language),
                    content=notice_receipt_pdf(payment, language),
                    mimetype="application/pdf",
                )
            ],
            dedupe_key=f"{NOTICE_RECEIPT}:{payment.pk}",
        )
