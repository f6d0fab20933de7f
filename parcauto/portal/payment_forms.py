"""The payment step ("Soumettre" / "Ajouter") and "Mettre à jour la carte de crédit".

The card number never comes here: the gateway's iframe puts a temporary token in the
hidden `card_token` field (rule 21). Bank numbers are checked by payments.services.pad,
whose refusals come back to the field they name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.errors import DomainError
from parcauto.core.fields import IdField
from parcauto.core.uploads import upload_help
from parcauto.payments.models import PaymentMethod
from parcauto.payments.services import pad
from parcauto.sales.services import (
    CardPayment,
    PadPayment,
    Payment,
    PayrollPayment,
)
from parcauto.subscriptions.errors import FieldErrors
from parcauto.subscriptions.models import Subscription

from .forms import REQUIRED
from .subscription_forms import add_domain_error

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACCEPTED_CHEQUE_TYPES = ".jpg,.jpeg,.png,.pdf"


def _digits(label: StrOrPromise, help_text: StrOrPromise, *, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class CardTokenMixin(forms.Form):
    """What the gateway's iframe script leaves in the form on submit."""

    card_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def add_domain_error(self, error: DomainError) -> None:
        # A hidden field shows no error: the card's refusal goes above the form.
        if isinstance(error, FieldErrors) and "card_token" in error.errors:
            self.add_error(None, str(error.errors["card_token"]))
            error = FieldErrors({k: v for k, v in error.errors.items() if k != "card_token"})
        add_domain_error(self, error)


class PaymentForm(CardTokenMixin):
    """Step 5: the method, what it needs, and the payment consents."""

    request = IdField(widget=forms.HiddenInput)
    payment_method = forms.ChoiceField(
        label=_("1. Select your payment method"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the payment methods offered."),
            "invalid_choice": _("Choose one of the payment methods offered."),
        },
    )
    # Pre-authorized debit (names as payments.services.pad's, so its errors land here).
    institution = _digits(_("Institution number"), _("3 digits"), max_length=3)
    transit = _digits(_("Transit number"), _("5 digits"), max_length=5)
    account = _digits(_("Account number"), _("7 to 12 digits"), max_length=12)
    holder_name = forms.CharField(
        label=_("Account holder's name"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    holder_kind = forms.ChoiceField(
        label=_("Account type"),
        choices=PaymentMethod.HolderKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    cheque_file = forms.FileField(
        label=_("Void cheque specimen"),
        required=False,
        allow_empty_file=True,  # the service says why an empty file is refused
        widget=forms.FileInput(attrs={"accept": ACCEPTED_CHEQUE_TYPES}),
    )
    agreement_accepted = forms.BooleanField(
        label=_("I accept the pre-authorized debit agreement"), required=False
    )
    # Payroll deduction.
    employee_number = forms.CharField(
        label=_("Employee number"), max_length=30, required=False, error_messages=REQUIRED
    )
    accepted_payment_conditions = forms.BooleanField(
        label=_("I accept the payment conditions"), required=False
    )
    accepted_charge_after_approval = forms.BooleanField(
        label=_("I understand that I will be charged only once the subscription is approved"),
        required=False,
    )

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        methods = subscription.product.payment_methods_for(subscription.category)
        labels = dict(PaymentMethodKind.choices)
        field = cast(forms.ChoiceField, self.fields["payment_method"])
        field.choices = [(method, labels[method]) for method in methods]
        if len(methods) == 1 and not self.is_bound:
            self.initial.setdefault("payment_method", methods[0])
        if not subscription.product.approval_required:
            del self.fields["accepted_charge_after_approval"]
        self.initial.setdefault("employee_number", subscription.employee_number)
        self.initial.setdefault("holder_kind", PaymentMethod.HolderKind.PERSONAL)
        self.methods = methods
        self.subscription = subscription
        # The limit the server enforces, so the help never promises more (one constant).
        self.fields["cheque_file"].help_text = upload_help(pad.CHEQUE_MAX_BYTES)

    @property
    def chosen(self) -> str:
        """The method ticked (or the only one), to show its section first."""
        value = self.data.get("payment_method") if self.is_bound else None
        return str(value or self.initial.get("payment_method") or "")

    def payment(self) -> Payment:
        """What the chosen method gathered, for sales.services.subscription_submit."""
        data = self.cleaned_data
        method = data["payment_method"]
        if method == PaymentMethodKind.CARD:
            return CardPayment(temporary_token=data["card_token"])
        if method == PaymentMethodKind.PAD:
            return PadPayment(
                institution=data["institution"].strip(),
                transit=data["transit"].strip(),
                account=data["account"].strip(),
                holder_name=data["holder_name"].strip(),
                holder_kind=data["holder_kind"],
                cheque_file=data["cheque_file"],
                agreement_accepted=bool(data["agreement_accepted"]),
            )
        # The details step may already have asked for it: the service falls back on it.
        return PayrollPayment(
            employee_number=data["employee_number"],
            authorized=bool(data.get("accepted_payment_conditions")),
        )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "payment_method": data["payment_method"],
            "accepted_payment_conditions": bool(data.get("accepted_payment_conditions")),
            "accepted_charge_after_approval": bool(data.get("accepted_charge_after_approval")),
        }

    @property
    def file_to_choose_again(self) -> bool:
        """A chosen cheque is not sent back to the browser: the person must pick it again."""
        return bool(self.errors) and bool(self.files.get("cheque_file"))


class CardUpdateForm(CardTokenMixin):
    """ "Mettre à jour la carte de crédit": the iframe's token, nothing else (no method
    radio: the card script then always tokenizes)."""


def payroll_only(subscription: Subscription) -> bool:
    """Guide 002: a payroll-deduction permit has no payment step ("Les utilisateurs en
    déduction à la source n'ont pas à procéder à cette étape"); its summary sends it."""
    methods = subscription.product.payment_methods_for(subscription.category)
    return methods == [PaymentMethodKind.PAYROLL]


class PayrollSummaryForm(forms.Form):
    """The summary of a payroll-deduction permit: the authorization and the payment
    conditions, then "Transmettre ma demande"."""

    employee_number = forms.CharField(
        label=_("Employee number"), max_length=30, required=False, error_messages=REQUIRED
    )
    # Both asked of everyone at once (the service would name one refusal at a time).
    authorized = forms.BooleanField(
        error_messages={"required": _("Authorize the deduction from your pay to continue.")}
    )
    accepted_payment_conditions = forms.BooleanField(
        label=_("I accept the payment conditions"),
        error_messages={"required": _("Accept the payment conditions to continue.")},
    )

    def __init__(
        self, *args: Any, subscription: Subscription, authorization: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authorized"].label = authorization
        if subscription.employee_number:  # given at the details step: shown in the summary
            del self.fields["employee_number"]

    def payment(self) -> PayrollPayment:
        data = self.cleaned_data
        return PayrollPayment(
            employee_number=data.get("employee_number", ""),
            authorized=bool(data["authorized"]),
        )

    def add_domain_error(self, error: DomainError) -> None:
        add_domain_error(self, error)
