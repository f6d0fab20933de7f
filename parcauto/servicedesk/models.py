"""Requests people send after the sale, their thread of messages and files, and the FAQ."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.i18n import localized
from parcauto.core.models import InstitutionSettingsModel, TenantOwnedModel


class ServiceDeskSettings(InstitutionSettingsModel):
    """An institution's service-desk terms: how fast it promises to answer."""

    response_business_days = models.PositiveSmallIntegerField(
        _("response time (business days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("A new request is due this many business days after it arrives."),
    )

    class Meta(InstitutionSettingsModel.Meta):
        verbose_name = _("service-desk settings")
        verbose_name_plural = _("service-desk settings")

    def __str__(self) -> str:
        return str(_("Service-desk settings"))


class ServiceRequest(TenantOwnedModel):
    """One request to the service centre, from its sending to its answer.

    Every change of `state` (and of `outcome` for a cancellation) goes through a service
    function of `servicedesk.services`, which audits it and tells the person.
    """

    class Kind(models.TextChoices):
        MODIFICATION = "modification", _("Modification")
        CANCELLATION = "cancellation", _("Cancellation")
        REPORT = "report", _("Report")
        # A claim notice contested from the public page ("Contester"): `notice` names it.
        CONTEST = "contest", _("Notice contest")

    class State(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for the customer")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        """What became of a cancellation (empty for the other kinds)."""

        NONE = "", _("Not decided")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Problem(models.TextChoices):
        """What a report is about ("TRANSMETTRE UN RAPPORT")."""

        GATE = "gate", _("Gate out of order")
        LIGHTING = "lighting", _("Lighting")
        SNOW = "snow", _("Snow removal")
        SAFETY = "safety", _("Safety")
        OTHER = "other", _("Other")

    OPEN_STATES = (State.NEW, State.IN_PROGRESS, State.WAITING)

    number = models.PositiveBigIntegerField(_("request number"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Empty only for a contest sent without an account (a driver with a notice is often a
    # visitor): it is answered at `contact_email`, in `language`.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    notice = models.ForeignKey(
        "enforcement.ClaimNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contests",
        verbose_name=_("claim notice"),
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )
    lot = models.ForeignKey(
        "catalog.ParkingLot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lot"),
    )
    problem = models.CharField(_("problem"), max_length=10, choices=Problem.choices, blank=True)
    # As the person gave them on the form (prefilled from the account).
    contact_email = models.EmailField(_("e-mail address"))
    # The page's language when sent: the e-mails of a request without an account use it.
    language = models.CharField(_("language"), max_length=5, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("comments"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.NEW, db_index=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    # Cancellation: the last day asked for, and the end date the contract had before it.
    requested_end_date = models.DateField(_("last day asked for"), null=True, blank=True)
    previous_end_date = models.DateField(_("end date before the request"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the ended contract's account was settled (`closing`): once, whatever retries.
    contract_closed_at = models.DateTimeField(_("contract settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "state", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="cancellation")
                | models.Q(requested_end_date__isnull=False, subscription__isnull=False),
                name="cancellation_names_its_contract_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="cancellation") | models.Q(outcome=""),
                name="only_cancellations_have_an_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(kind="contest"),
                name="only_contests_may_come_without_an_account",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="contest") | models.Q(notice__isnull=False),
                name="a_contest_names_its_notice",
            ),
        ]

    def __str__(self) -> str:
        return str(self.number)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ServiceMessage(TenantOwnedModel):
    """One message of a request's thread: the person's, staff's, or an internal note."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("From the customer")
        STAFF = "staff", _("Reply from staff")
        NOTE = "note", _("Internal note")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"


def _attachment_path(instance: ServiceAttachment, filename: str) -> str:
    # Never the uploaded name: it is shown, not trusted.
    return f"private/servicedesk/{instance.organization_id}/{uuid.uuid4().hex}"


class ServiceAttachment(TenantOwnedModel):
    """A file sent with a request or a message: private, type read from its bytes."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        ServiceMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_stem(self) -> str:
        return f"demande-{self.request.number}-{self.pk}"


class FaqEntry(TenantOwnedModel):
    """A question an institution answers once for everyone ("FAQ"), in Markdown."""

    question_fr = models.CharField(_("question (French)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer_fr = models.TextField(
        _("answer (French)"), help_text=_("Markdown: **bold**, lists, links.")
    )
    answer_en = models.TextField(_("answer (English)"), blank=True)
    topic_fr = models.CharField(_("topic (French)"), max_length=100, blank=True)
    topic_en = models.CharField(_("topic (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.question_fr

    @property
    def question(self) -> str:
        return localized(self.question_fr, self.question_en)

    @property
    def answer(self) -> str:
        return localized(self.answer_fr, self.answer_en)

    @property
    def topic(self) -> str:
        return localized(self.topic_fr, self.topic_en)
