"""The e-mails of a notice: to the account whose vehicle received it (what, where, how
much, the payment link, the printed notice attached), to that account again when the
unpaid notice goes to collection (what is owed now, the same link), and the receipt of a
payment on the public page (to the address typed); each in the person's language."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils import translation
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.core.dates import format_date, format_datetime
from parcauto.core.money import format_money
from parcauto.notifications.services import Attachment, email_send_template
from parcauto.subscriptions.contract import PDF_MIMETYPE

from .models import ClaimNotice, NoticePayment
from .printing import notice_filename, notice_payment_url, notice_pdf
from .receipts import RECEIPT_LANGUAGES, notice_receipt_filename, notice_receipt_pdf

TEMPLATE = "enforcement_notice"
COLLECTION = "notice_collection"
NOTICE_RECEIPT = "notice_receipt"


def _holder_notice(notice_id: int) -> tuple[ClaimNotice, User, str] | None:
    """The notice, its holder and their language; None when no account with an address
    has it. Run in the institution's scope."""
    notice = (
        ClaimNotice.objects.select_related("organization", "lot", "person", "agent")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or notice.person is None or not notice.person.email:
        return None
    person = notice.person
    return notice, person, person.language if person.language in ("fr", "en") else "fr"


def _holder_send(
    notice: ClaimNotice,
    person: User,
    language: str,
    *,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
) -> None:
    """E-mail the holder about the notice, once per template: with its due date and the
    link to pay it beside `context`."""
    with translation.override(language):
        due_on = format_date(notice.due_date)
    email_send_template(
        template=template,
        to=person.email,
        context={
            "notice": notice,
            "due_on": due_on,
            "payment_url": notice_payment_url(notice),
            **context,
        },
        language=language,
        organization=notice.organization,
        attachments=attachments,
        dedupe_key=f"{template}:{notice.pk}",
    )


@task()
def send_notice_email(*, organization_id: int, notice_id: int) -> None:
    """One e-mail per notice, however often the task runs."""
    with scope(organization=organization_id):
        held = _holder_notice(notice_id)
        if held is None:
            return
        notice, person, language = held
        with translation.override(language):
            observed_at = format_datetime(notice.observed_at)
        _holder_send(
            notice,
            person,
            language,
            template=TEMPLATE,
            context={
                "observed_at": observed_at,
                "total": format_money(notice.total, language),
                "late_fee": format_money(notice.late_fee, language) if notice.late_fee else "",
            },
            attachments=[
                Attachment(
                    filename=notice_filename(notice),
                    content=notice_pdf(notice, language=language),
                    mimetype=PDF_MIMETYPE,
                )
            ],
        )


@task()
def send_notice_collection_email(*, organization_id: int, notice_id: int) -> None:
    """The holder is told, once, that the unpaid notice went to collection."""
    with scope(organization=organization_id):
        held = _holder_notice(notice_id)
        if held is None or held[0].state != ClaimNotice.State.COLLECTION:
            return
        notice, person, language = held
        owed = format_money(notice.total + notice.late_fee, language)
        _holder_send(notice, person, language, template=COLLECTION, context={"owed": owed})


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
