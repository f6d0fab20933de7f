"""allauth's forms, with the wording of the guides ("Adresse courriel", ...)."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .selectors import email_claims


def signup_email_domain(request: HttpRequest | None) -> str:
    """The domain the portal's institution requires of new accounts, or ""."""
    organization = getattr(request, "organization", None)
    return str(getattr(organization, "signup_email_domain", "") or "")


def _relabel(form: Any, labels: dict[str, Any]) -> None:
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"login": _("E-mail address"), "password": _("Password")})
        self.fields["login"].widget.attrs["autocomplete"] = "email"


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "email": _("E-mail address"),
                "password1": _("Password"),
                "password2": _("Password confirmation"),
            },
        )
        self.fields["password1"].help_text = _("8 characters minimum.")
        self.required_domain = signup_email_domain(get_adapter().request)
        if self.required_domain:
            self.fields["email"].help_text = _("Your @%(domain)s address.") % {
                "domain": self.required_domain
            }

    def clean_email(self) -> str:
        # Guide 000: refused here, not only at the category step once the account exists.
        value = self.cleaned_data["email"].lower()
        domain = self.required_domain
        if domain and value.rpartition("@")[2] != domain:
            raise forms.ValidationError(
                _("Use your @%(domain)s address: this portal opens accounts only with it.")
                % {"domain": domain},
                code="email_domain_required",
            )
        return str(super().clean_email())

    def validate_unique_email(self, value: str) -> str:
        # allauth counts any account that names the address; only a proven one owns it.
        # Unverified claims give way to this sign-up (dropped by the adapter's save_user).
        if email_claims(email=value).claimable:
            self.account_already_exists = False
            return str(get_adapter().validate_unique_email(value))
        return str(super().validate_unique_email(value))


class AddEmailForm(allauth_forms.AddEmailForm):
    """The address an account asks to change to (ACCOUNT_CHANGE_EMAIL: one address per
    account; the new one replaces it once its link is used by this account)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("New e-mail address")})
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        # allauth's, except that an address only claimed unverified by another account
        # is free: its owner may move to it (the claim is dropped when proven).
        assert self.user is not None  # noqa: S101 - allauth passes the signed-in user
        adapter = get_adapter()
        value = str(adapter.clean_email(self.cleaned_data["email"].lower()))
        if EmailAddress.objects.filter(user_id=self.user.pk, email__iexact=value).exists():
            raise adapter.validation_error("duplicate_email")
        if not email_claims(email=value, claimant=self.user).claimable:
            raise adapter.validation_error("email_taken")
        # allauth's own hook on adding an address (allauth.mfa refuses it for accounts
        # protected by an authenticator app, as allauth's form does).
        signals._add_email.send(sender=type(self.user), email=value, user=self.user)
        return value


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("E-mail address")})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("Password confirmation")})
        self.fields["password1"].help_text = _("8 characters minimum.")
