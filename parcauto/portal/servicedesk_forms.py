"""The forms of the service desk's portal pages (guides 001 and 002's wording)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import ParkingLot
from parcauto.core.dates import format_date
from parcauto.core.errors import DomainError
from parcauto.core.fields import BoundedDateField, FilesField, IdChoiceField, MultipleFileInput
from parcauto.servicedesk.errors import CARD_NUMBER_WARNING
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.common import MAX_PHOTOS
from parcauto.subscriptions.models import Subscription

from .forms import REQUIRED

ACCEPTED_TYPES = ".jpg,.jpeg,.png,.pdf"
ACCEPTED_PHOTOS = ".jpg,.jpeg,.png"
TEXT_MAX = 5000
ATTACHMENT_HELP = _("Attach a .jpg, .jpeg, .png or .pdf file (maximum size 10 MB).")


def _text_area(**attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": "6", "maxlength": str(TEXT_MAX), **attrs})


class _DomainErrors:
    """A service refusal goes next to the field it is about (`field_by_code`), else on top."""

    field_by_code: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        target = self.field_by_code.get(error.code)
        form.add_error(target if target in form.fields else None, str(error.message))


class ModificationForm(_DomainErrors, forms.Form):
    """ "Envoyer la demande" (guide 001): e-mail and name prefilled, the subject fixed."""

    field_by_code = {"card_number": "comments", "upload_refused": "attachment"}

    contact_email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254, error_messages=REQUIRED
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150, error_messages=REQUIRED)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False, disabled=True)
    comments = forms.CharField(
        label=_("Comments"),
        max_length=TEXT_MAX,
        widget=_text_area(),
        help_text=CARD_NUMBER_WARNING,
        error_messages=REQUIRED,
    )
    attachment = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        allow_empty_file=True,  # the service says why an empty file is refused
        help_text=ATTACHMENT_HELP,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_TYPES}),
    )


class _ContractChoice(IdChoiceField[Subscription]):
    def label_from_instance(self, obj: Subscription) -> str:
        end = format_date(obj.end_date) if obj.end_date else _("Indefinite")
        return _("%(number)s - %(product)s (end of the subscription: %(end)s)") % {
            "number": obj.product.number,
            "product": obj.product.name,
            "end": end,
        }


class CancellationForm(_DomainErrors, forms.Form):
    """Guide 002: « Choisissez le service à annuler », then the last day."""

    field_by_code = {"date_refused": "last_day", "not_allowed": "subscription"}

    subscription = _ContractChoice(
        label=_("Choose the service to cancel"),
        queryset=Subscription.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the service to cancel.")},
    )
    last_day = BoundedDateField(
        label=_("Choose the date on which you want to cancel your subscription"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Choose the date."),
            "invalid": _("Enter a date such as 2026-07-31."),
        },
    )

    def __init__(self, *args: Any, contracts: QuerySet[Subscription], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subscription"]
        assert isinstance(field, IdChoiceField)  # noqa: S101 - declared above
        field.queryset = contracts


class PhotosField(FilesField):
    """Up to MAX_PHOTOS files in one input (a phone's photo picker sends several)."""

    default_error_messages = {"too_many": _("Attach at most 3 photos.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_files=MAX_PHOTOS, **kwargs)


class ReportForm(_DomainErrors, forms.Form):
    """ "TRANSMETTRE UN RAPPORT": where, what, and up to 3 photos."""

    field_by_code = {"card_number": "description", "upload_refused": "photos"}

    lot = IdChoiceField(
        label=_("Parking lot"),
        queryset=ParkingLot.objects.none(),
        error_messages={**REQUIRED, "invalid_choice": _("Choose one of the parking lots.")},
    )
    problem = forms.ChoiceField(
        label=_("Problem"),
        choices=[("", "—"), *ServiceRequest.Problem.choices],
        error_messages=REQUIRED,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX,
        widget=_text_area(),
        help_text=CARD_NUMBER_WARNING,
        error_messages=REQUIRED,
    )
    photos = PhotosField(
        label=_("Photos (optional, up to 3)"),
        required=False,
        allow_empty_file=True,
        help_text=_("Attach .jpg, .jpeg or .png photos (maximum size 10 MB each)."),
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_PHOTOS, "multiple": True}),
    )

    def __init__(self, *args: Any, lots: QuerySet[ParkingLot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lot"]
        assert isinstance(field, IdChoiceField)  # noqa: S101 - declared above
        field.queryset = lots


class ReplyForm(_DomainErrors, forms.Form):
    """The person's answer in the thread of a request."""

    field_by_code = {"card_number": "body", "upload_refused": "attachment"}

    body = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX,
        widget=_text_area(rows="4"),
        help_text=CARD_NUMBER_WARNING,
        error_messages=REQUIRED,
    )
    attachment = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        allow_empty_file=True,
        help_text=ATTACHMENT_HELP,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_TYPES}),
    )
