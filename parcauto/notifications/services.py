from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

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
) -> OutboundEmail:
    """Store a rendered e-mail and deliver it once the current transaction commits.

    With a `dedupe_key`, queuing the same event again returns the first e-mail. With
    `secrets` (the keys of a personal link, the link itself), the stored subject and
    bodies carry a placeholder instead of each of them, and the copy to send is sealed
    until it is sent: nobody who reads the outbox can follow the link.
    """

    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    sendable = Sendable(subject=" ".join(subject.split()), body_text=body_text, body_html=body_html)
    stored, sealed = sendable, ""
    if secrets:
        with translation.override(language):
            placeholder = _("[personal link removed from the stored copy]")
        stored = Sendable(
            subject=redact(sendable.subject, secrets, placeholder),
            body_text=redact(body_text, secrets, placeholder),
            body_html=redact(body_html, secrets, placeholder),
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
    transaction.on_commit(lambda: deliver_email.enqueue(email_id=email.pk))
    return email


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
    topic: EmailTopic | None = None,
) -> OutboundEmail | None:
    """Render the `<template>-subject.txt / -body.txt / -body.html` triplet in `language`.

    Without a `topic` the message is mandatory and always queued. With one, it is not
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
