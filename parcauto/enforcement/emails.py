"""The e-mails of a notice: to the account whose vehicle received it (what, where, how
much, the payment link, the printed notice attached) and the receipt of a payment on the
public page (to the address typed); each in the person's language."""

from __future__ import annotations

from django.tasks import task
from django.utils import translation
from django_scopes import scope

from parcauto.core.dates import format_date, format_datetime
from parcauto.core.money import format_money
from parcauto.notifications.services import Attachment, email_send_template
from parcauto.subscriptions.contract import PDF_MIMETYPE

from .models import ClaimNotice, NoticePayment
from .printing import notice_filename, notice_payment_url, notice_pdf
from .receipts import RECEIPT_LANGUAGES, notice_receipt_filename, notice_receipt_pdf

TEMPLATE = "enforcement_notice"
NOTICE_RECEIPT = "notice_receipt"


@task()
def send_notice_email(*, organization_id: int, notice_id: int) -> None:
    """One e-mail per notice, however often the task runs."""
    with scope(organization=organization_id):
        notice = (
            ClaimNotice.objects.select_related("organization", "lot", "person", "agent")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.person is None or not notice.person.email:
            return
        person = notice.person
        language = person.language if person.language in ("fr", "en") else "fr"
        with translation.override(language):
            observed_at = format_datetime(notice.observed_at)
            due_on = format_date(notice.due_date)
        email_send_template(
            template=TEMPLATE,
            to=person.email,
            context={
                "notice": notice,
                "observed_at": observed_at,
                "due_on": due_on,
                "total": format_money(notice.total, language),
                "late_fee": format_money(notice.late_fee, language) if notice.late_fee else "",
                "payment_url": notice_payment_url(notice),
            },
            language=language,
            organization=notice.organization,
            attachments=[
                Attachment(
                    filename=notice_filename(notice),
                    content=notice_pdf(notice, language=language),
                    mimetype=PDF_MIMETYPE,
                )
            ],
            dedupe_key=f"{TEMPLATE}:{notice.pk}",
        )


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
                    mimetype=PDF_MIMETYPE,
                )
            ],
            dedupe_key=f"{NOTICE_RECEIPT}:{payment.pk}",
        )
