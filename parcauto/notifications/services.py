from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from parcauto.tenants.models import Organization

from .models import OutboundAttachment, OutboundEmail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    organization: Organization | None = None,
    template: str = "",
    language: str = "fr",
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Store a rendered e-mail and deliver it once the current transaction commits.

    With a `dedupe_key`, queuing the same event again returns the first e-mail.
    """
    from .tasks import deliver_email

    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            organization=organization,
            template=template,
            dedupe_key=dedupe_key,
            language=language,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            subject=" ".join(subject.split()),
            body_text=body_text,
            body_html=body_html,
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=a.filename, content=a.content, mimetype=a.mimetype
            )
            for a in attachments or []
        )
    transaction.on_commit(lambda: deliver_email.enqueue(email_id=email.pk))
    return email


def email_send_template(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    organization: Organization | None = None,
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Render the `<template>-subject.txt / -body.txt / -body.html` triplet in `language`."""
    base = f"notifications/email/{template}"
    with translation.override(language):
        context = {
            "organization": organization,
            "operator_name": settings.PARCAUTO_OPERATOR_NAME,
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = render_to_string(f"{base}-subject.txt", context)
        body_text = render_to_string(f"{base}-body.txt", context)
        body_html = render_to_string(f"{base}-body.html", context)
    return email_queue(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        organization=organization,
        template=template,
        language=language,
        attachments=attachments,
        dedupe_key=dedupe_key,
    )


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail; a second call for the same e-mail sends nothing."""
    with transaction.atomic():
        claimed = OutboundEmail.objects.filter(
            pk=email_id, status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED]
        ).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now())
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=[email.to],
        connection=mailers.default,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    try:
        message.send()
    except Exception as error:
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.FAILED,
            sent_at=None,
            attempts=email.attempts + 1,
            last_error=repr(error)[:2000],
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(attempts=email.attempts + 1)
    return True
