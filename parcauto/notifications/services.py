from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from parcauto.core.tasks import enqueue_with_transaction
from parcauto.tenants.models import Organization

from .models import EmailOptOut, OutboundAttachment, OutboundEmail
from .sealing import Sendable, redact, seal
from .tasks import deliver_email
from .topics import EmailTopic


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str
    # Set: shown inline, where the HTML body says `<img src="cid:...">`.
    content_id: str = ""

    def sealable(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content": base64.b64encode(self.content).decode(),
            "content_id": self.content_id,
        }


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
    secrets: list[str] | None = None,
    sealed_attachments: list[Attachment] | None = None,
) -> OutboundEmail:
    """Store a rendered e-mail and deliver it once the current transaction commits.

    With a `dedupe_key`, queuing the same event again returns the first e-mail. With
    `secrets` (the keys of a personal link, the link itself), the stored subject and
    bodies carry a placeholder instead of each of them, and the copy to send is sealed
    until it is sent: nobody who reads the outbox can follow the link.
    `sealed_attachments` go in that sealed copy only (a pass's QR code): the stored
    message never has them.
    """

    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    sendable = Sendable(
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        attachments=[attachment.sealable() for attachment in sealed_attachments or []],
    )
    stored, sealed = sendable, ""
    if secrets or sealed_attachments:
        with translation.override(language):
            placeholder = _("[personal link removed from the stored copy]")
        stored = Sendable(
            subject=redact(sendable.subject, secrets or [], placeholder),
            body_text=redact(body_text, secrets or [], placeholder),
            body_html=redact(body_html, secrets or [], placeholder),
        )
        sealed = seal(sendable)
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            organization=organization,
            template=template,
            dedupe_key=dedupe_key,
            language=language,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            subject=stored.subject,
            body_text=stored.body_text,
            body_html=stored.body_html,
            sealed=sealed,
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=a.filename, content=a.content, mimetype=a.mimetype
            )
            for a in attachments or []
        )
        enqueue_with_transaction(deliver_email, email_id=email.pk)
    return email


def email_resend(*, email_ids: list[int]) -> int:
    """Send again FAILED messages ("Renvoyer"), or try queued ones now: each gets its full
    count of attempts back. Sent or sending messages are left alone (a second copy of a
    sent message would carry the same Message-ID and could be dropped as a duplicate, and
    its personal link is no longer kept). Returns how many were queued."""
    resendable = OutboundEmail.objects.filter(
        pk__in=email_ids, status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.QUEUED]
    )
    with transaction.atomic():
        # Locked (PostgreSQL; SQLite's write transaction serializes): no worker takes one
        # between the look-up and the UPDATE, so each one queued has its task.
        queued = list(resendable.select_for_update().values_list("pk", flat=True))
        resendable.filter(pk__in=queued).update(
            status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=None, sending_since=None
        )
        for email_id in queued:
            enqueue_with_transaction(deliver_email, email_id=email_id)
    return len(queued)


@overload
def email_send_template(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    organization: Organization | None = None,
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
    secrets: list[str] | None = None,
    sealed_attachments: list[Attachment] | None = None,
    topic: None = None,
) -> OutboundEmail: ...


@overload
def email_send_template(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    organization: Organization | None = None,
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
    secrets: list[str] | None = None,
    sealed_attachments: list[Attachment] | None = None,
    topic: EmailTopic,
) -> OutboundEmail | None: ...


def email_send_template(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    organization: Organization | None = None,
    attachments: list[Attachment] | None = None,
    dedupe_key: str | None = None,
    secrets: list[str] | None = None,
    sealed_attachments: list[Attachment] | None = None,
    topic: EmailTopic | None = None,
) -> OutboundEmail | None:
    """Render the `<template>-subject.txt / -body.txt / -body.html` triplet in `language`.

    `secrets` and `sealed_attachments`: as `email_queue`. Without a `topic` the message
    is mandatory and always queued. With one, it is not
    queued (None) when the person holding the address `to` refused that topic.
    """
    if topic is not None and email_topic_refused(to=to, topic=topic):
        return None
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
        secrets=secrets,
        sealed_attachments=sealed_attachments,
    )


def email_topic_refused(*, to: str, topic: str) -> bool:
    """Whether the account whose address is `to` refuses the e-mails of `topic`."""
    return EmailOptOut.objects.filter(
        person__email__iexact=to, topic=topic, until__isnull=True
    ).exists()


def email_topics_refused(*, person_id: int) -> set[str]:
    """The optional topics the person refuses now."""
    return set(
        EmailOptOut.objects.filter(person_id=person_id, until__isnull=True).values_list(
            "topic", flat=True
        )
    )


def email_opt_outs_apply(
    *, person_id: int, refused: Iterable[str], now: dt.datetime
) -> tuple[set[str], set[str]]:
    """Make `refused` the person's opt-out list: a topic newly refused opens a period, a
    topic accepted again closes its open one. Returns (now refused, accepted again).

    Call it inside the caller's transaction; the caller records the audit event.
    """
    wanted = set(refused) & set(EmailTopic.values)
    current = email_topics_refused(person_id=person_id)
    added, removed = wanted - current, current - wanted
    EmailOptOut.objects.bulk_create(
        EmailOptOut(person_id=person_id, topic=topic, since=now) for topic in sorted(added)
    )
    EmailOptOut.objects.filter(person_id=person_id, topic__in=removed, until__isnull=True).update(
        until=now
    )
    return added, removed
