"""The request wizard: each step saves the draft, so a person can leave and resume."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.catalog.selectors import category_check_email, product_list_for
from parcauto.core.clock import local_today
from parcauto.core.dates import format_date
from parcauto.core.uploads import UploadRefused, display_name, upload_check
from parcauto.tenants.models import LegalText, Organization
from parcauto.tenants.selectors import legal_text_current
from parcauto.vehicles.models import Vehicle

from ..errors import FieldErrors, ProductNotAvailable, TransitionNotAllowed
from ..models import Attachment, Consent, Subscription

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REQUIRED = _("Required field")
PROOF_MAX_BYTES = 2 * 1024 * 1024
# How far ahead a start date may be chosen.
MAX_DAYS_AHEAD = 365


def _last_day(product: PermitProduct, start: dt.date) -> dt.date:
    """The last day an episodic permit starting on `start` may run to, that day included."""
    return start + dt.timedelta(days=product.max_term_days - 1)


def _dates_for(
    *, product: PermitProduct, start: dt.date | None, end: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date | None]:
    """The contract's dates: a fixed term carries its own, the others are chosen."""
    if product.kind == PermitProduct.Kind.FIXED_TERM:
        assert product.term_start and product.term_end  # noqa: S101 - a DB constraint
        return max(product.term_start, today), product.term_end
    if product.kind != PermitProduct.Kind.EPISODIC:
        end = None  # monthly and occasional permits are open-ended: "Indéterminée"
    errors: dict[str, StrOrPromise] = {}
    if start is None:
        errors["start_date"] = REQUIRED
    elif start < today:
        errors["start_date"] = _("The start date cannot be in the past.")
    elif start > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["start_date"] = _("Choose a start date within the next 12 months.")
    if product.kind == PermitProduct.Kind.EPISODIC and end is None:
        errors["end_date"] = REQUIRED
    elif end is not None and start is not None and end < start:
        errors["end_date"] = _("The end date cannot be before the start date.")
    elif end is not None and start is not None and end > _last_day(product, start):
        errors["end_date"] = ngettext_lazy(
            "This permit lasts at most %(days)d day: choose an end date on or before %(date)s.",
            "This permit lasts at most %(days)d days: choose an end date on or before %(date)s.",
            "days",
        ) % {"days": product.max_term_days, "date": format_date(_last_day(product, start))}
    if errors:
        raise FieldErrors(errors)
    assert start is not None  # noqa: S101 - checked above
    return start, end


def _record_consent(
    *, subscription: Subscription, kind: str, legal_text: LegalText | None, at: dt.datetime
) -> None:
    Consent.objects.update_or_create(
        organization=subscription.organization,
        subscription=subscription,
        kind=kind,
        defaults={"legal_text": legal_text, "accepted_at": at},
    )


def _ensure_still_draft(subscription: Subscription) -> None:
    """Refuse early, before validating input, when the request was already sent."""
    status = (
        Subscription.objects.filter(organization=subscription.organization, pk=subscription.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != Subscription.Status.DRAFT:
        raise TransitionNotAllowed(_("This request was already sent: it cannot be changed."))


def _locked_draft(subscription: Subscription) -> Subscription:
    """The draft, locked for this transaction (checked again: a submit may have raced us)."""
    draft = Subscription.objects.select_for_update().get(
        organization=subscription.organization, pk=subscription.pk
    )
    if draft.status != Subscription.Status.DRAFT:
        raise TransitionNotAllowed(_("This request was already sent: it cannot be changed."))
    return draft


def subscription_draft_choose(
    *,
    person: User,
    organization: Organization,
    lot: ParkingLot,
    category: UserCategory,
    product: PermitProduct,
    start_date: dt.date | None,
    end_date: dt.date | None,
    accepted_conditions: bool,
    accepted_approval_notice: bool,
    access_code: str = "",
    now: dt.datetime,
) -> Subscription:
    """Step 1: lot, category, product, dates and the two consents; starts or updates the draft."""
    category_check_email(category=category, email=person.email)
    offered = product_list_for(
        organization=organization,
        lot=lot,
        category=category,
        user=person,
        at=now,
        access_code=access_code,
    )
    if not offered.filter(pk=product.pk).exists():
        raise ProductNotAvailable
    errors: dict[str, StrOrPromise] = {}
    if not accepted_conditions:
        errors["accepted_conditions"] = _("Accept the subscription conditions to continue.")
    if product.approval_required and not accepted_approval_notice:
        errors["accepted_approval_notice"] = _("Tick this box to confirm you understand.")
    try:
        start, end = _dates_for(
            product=product, start=start_date, end=end_date, today=local_today(now)
        )
    except FieldErrors as dates:
        errors |= dates.errors
    if errors:
        raise FieldErrors(errors)

    with transaction.atomic():
        draft = (
            Subscription.objects.select_for_update()
            .filter(organization=organization, person=person, status=Subscription.Status.DRAFT)
            .first()
        )
        values = {
            "lot": lot,
            "category": category,
            "product": product,
            "start_date": start,
            "end_date": end,
            "price": product.price,
            "billing_frequency": product.billing_frequency,
            "taxable": product.taxable,
            "language": person.language,
            "step": Subscription.Step.VEHICLES,
        }
        if draft is None:
            draft = Subscription.objects.create(organization=organization, person=person, **values)
        else:
            for key, value in values.items():
                setattr(draft, key, value)
            draft.save()
        conditions = legal_text_current(
            organization=organization, kind=LegalText.Kind.SUBSCRIPTION_CONDITIONS
        )
        _record_consent(
            subscription=draft,
            kind=Consent.Kind.SUBSCRIPTION_CONDITIONS,
            legal_text=conditions,
            at=now,
        )
        if product.approval_required:
            _record_consent(
                subscription=draft, kind=Consent.Kind.APPROVAL_NOTICE, legal_text=None, at=now
            )
        audit_log(
            action="subscription.draft_saved",
            actor=person,
            organization=organization,
            target=draft,
            data={"step": "choose", "product": product.number, "lot": lot.number},
        )
    return draft


def subscription_draft_set_vehicles(
    *, subscription: Subscription, vehicles: list[Vehicle], now: dt.datetime
) -> Subscription:
    """Step 2: one or two of the person's vehicles."""
    _ensure_still_draft(subscription)
    limit = settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT
    if not vehicles:
        raise FieldErrors({"vehicles": _("Add at least one vehicle.")})
    if len(vehicles) > limit:
        raise FieldErrors(
            {"vehicles": _("Maximum %(count)d vehicles per subscription.") % {"count": limit}}
        )
    if any(v.owner_id != subscription.person_id or v.removed_at for v in vehicles):
        raise FieldErrors({"vehicles": _("Choose among your own vehicles.")})
    with transaction.atomic():
        draft = _locked_draft(subscription)
        draft.vehicles.set(vehicles)
        draft.step = Subscription.Step.DETAILS
        draft.save(update_fields=["step", "updated_at"])
        audit_log(
            action="subscription.draft_saved",
            actor=draft.person,
            organization=draft.organization,
            target=draft,
            data={"step": "vehicles", "vehicles": [v.pk for v in vehicles]},
        )
    return draft


def subscription_draft_set_details(
    *,
    subscription: Subscription,
    employee_number: str = "",
    school: str = "",
    internship_discipline: str = "",
    proof: UploadedFile | None = None,
    now: dt.datetime,
) -> Subscription:
    """Step 3: what the category asks for (employee number, school, discipline, proof)."""
    _ensure_still_draft(subscription)
    category = subscription.category
    values = {
        "employee_number": employee_number.strip() if category.requires_employee_number else "",
        "school": school.strip() if category.requires_school else "",
        "internship_discipline": internship_discipline.strip()
        if category.requires_internship_discipline
        else "",
    }
    required = {
        "employee_number": category.requires_employee_number,
        "school": category.requires_school,
        "internship_discipline": category.requires_internship_discipline,
    }
    errors: dict[str, StrOrPromise] = {
        field: REQUIRED for field, needed in required.items() if needed and not values[field]
    }
    has_proof = subscription.attachments.filter(kind=Attachment.Kind.PROOF).exists()
    upload = None
    if proof is not None and category.requires_proof_document:
        try:
            upload = upload_check(proof, max_bytes=PROOF_MAX_BYTES)
        except UploadRefused as refused:
            errors["proof"] = refused.message
    elif category.requires_proof_document and not has_proof:
        errors["proof"] = REQUIRED
    if errors:
        raise FieldErrors(errors)

    with transaction.atomic():
        draft = _locked_draft(subscription)
        for key, value in values.items():
            setattr(draft, key, value)
        draft.step = Subscription.Step.SUMMARY
        draft.save()
        if upload is not None and proof is not None:
            for old in draft.attachments.filter(kind=Attachment.Kind.PROOF):
                old.file.delete(save=False)
                old.delete()
            Attachment.objects.create(
                organization=draft.organization,
                subscription=draft,
                kind=Attachment.Kind.PROOF,
                file=proof,
                original_name=display_name(proof.name or "document"),
                content_type=upload.content_type,
                size=upload.size,
            )
        audit_log(
            action="subscription.draft_saved",
            actor=draft.person,
            organization=draft.organization,
            target=draft,
            data={"step": "details", "proof": upload is not None},
        )
    return draft


def subscription_draft_review(*, subscription: Subscription, now: dt.datetime) -> Subscription:
    """Step 4: the person has read the summary; the payment step comes next."""
    with transaction.atomic():
        draft = _locked_draft(subscription)
        if draft.step != Subscription.Step.SUMMARY and draft.step != Subscription.Step.PAYMENT:
            raise TransitionNotAllowed(_("Complete the previous steps first."))
        draft.step = Subscription.Step.PAYMENT
        draft.save(update_fields=["step", "updated_at"])
    return draft


def subscription_draft_discard(*, subscription: Subscription, actor: User | None) -> None:
    """ "Annuler la demande": the draft and its files are gone; nothing was sold.

    `actor` None: the retention job, or the closure of the person's account.
    """
    with transaction.atomic():
        draft = _locked_draft(subscription)
        for attachment in draft.attachments.all():
            attachment.file.delete(save=False)
        audit_log(
            action="subscription.draft_discarded",
            actor=actor,
            organization=draft.organization,
            target=draft,
        )
        draft.delete()
