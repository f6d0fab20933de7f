from __future__ import annotations

import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .topics import EmailTopic


def message_id_new() -> str:
    """A Message-ID of its own for one outbox row, in the sender's domain.

    Every attempt at the row sends this same header, so the rare duplicate (see
    `delivery`) is recognisable by the recipient's mail system and by the operator.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "parcauto.localhost"
    return f"<{uuid.uuid4().hex}.outbox@{domain}>"


class OutboundEmail(models.Model):
    """An e-mail rendered at the moment of the event, delivered later by a task.

    Keeping the rendered message makes delivery idempotent and retries exact. A message
    carrying a personal link (validation, password reset) is stored with its keys
    replaced by a placeholder; the copy that is sent lives in `sealed`, encrypted, only
    until it is sent (see `sealing`). How a message goes from QUEUED to SENT, is retried,
    or ends FAILED: `delivery`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    template = models.CharField(_("template"), max_length=100, blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=150,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The same event queued twice (a retried task) sends one e-mail."),
    )
    language = models.CharField(_("language"), max_length=2, default="fr")
    from_email = models.CharField(_("from"), max_length=254)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    sealed = models.TextField(
        _("sealed copy"),
        blank=True,
        help_text=_("The copy to send, encrypted; erased once the message is sent."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    message_id = models.CharField(
        _("Message-ID"),
        max_length=255,
        default=message_id_new,
        help_text=_("The same on every attempt: a message sent twice is recognisable."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("A message the mail server refused is tried again from then on."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        ordering = ["-created_at"]
        indexes = [
            # The retry job's look-up: what is due, and what is stuck in SENDING.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class OutboundAttachment(models.Model):
    """A file sent with an e-mail (the contract PDF)."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class EmailOptOut(models.Model):
    """A period during which a person refused the e-mails of one topic.

    `until` is empty while the refusal stands; opting in again closes it, so the rows
    are the history of that consent (the privacy consent log reads them). At most one
    open row per person and topic.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=EmailTopic.choices)
    since = models.DateTimeField(_("refused since"))
    until = models.DateTimeField(_("accepted again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=models.Q(until__isnull=True),
                name="one_open_opt_out_per_person_and_topic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.topic} · {self.since:%Y-%m-%d}"
