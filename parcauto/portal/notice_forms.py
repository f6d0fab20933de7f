"""The forms of "PAYER UN AVIS DE RÉCLAMATION": the look-up, the payment, the contest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parcauto.servicedesk.errors import CARD_NUMBER_WARNING
from parcauto.servicedesk.services.contests import MAX_FILES

from .forms import REQUIRED
from .payment_forms import CardTokenMixin
from .servicedesk_forms import (
    ACCEPTED_TYPES,
    TEXT_MAX,
    MultipleFileInput,
    _DomainErrors,
    _text_area,
)


class NoticeLookupForm(forms.Form):
    """The number printed on the notice and the vehicle's plate: both, always."""

    number = forms.CharField(
        label=_("Claim notice number"),
        max_length=20,
        error_messages=REQUIRED,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    plate = forms.CharField(
        label=_("Vehicle licence plate"),
        max_length=12,
        help_text=_("As on the notice, for example ABC123."),
        error_messages=REQUIRED,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class NoticePayForm(CardTokenMixin, forms.Form):
    """The card (the gateway's iframe fills `card_token`) and where to send the receipt."""

    email = forms.EmailField(
        label=_("E-mail address for the receipt (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AttachmentsField(forms.FileField):
    """Up to MAX_FILES files in one input; each is judged by its bytes in the service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most 3 files."), code="too_many")
        return [super(AttachmentsField, self).clean(file, initial) for file in files]


class NoticeContestForm(_DomainErrors, forms.Form):
    """ "Contester": who, why, and up to 3 files (photos, a permit, a receipt...)."""

    field_by_code = {
        "card_number": "text",
        **{code: "attachments" for code in ("file_too_large", "file_empty", "file_type")},
    }

    full_name = forms.CharField(label=_("Full name"), max_length=150, error_messages=REQUIRED)
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The service centre's decision is sent to this address."),
        error_messages=REQUIRED,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = forms.CharField(
        label=_("Why do you contest this notice?"),
        max_length=TEXT_MAX,
        widget=_text_area(),
        help_text=CARD_NUMBER_WARNING,
        error_messages=REQUIRED,
    )
    attachments = AttachmentsField(
        label=_("Attachments (optional, up to 3)"),
        required=False,
        allow_empty_file=True,
        help_text=_("Attach .jpg, .jpeg, .png or .pdf files (maximum size 10 MB each)."),
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_TYPES, "multiple": True}),
    )
