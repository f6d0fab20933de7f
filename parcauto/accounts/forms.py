"""allauth's forms, with the wording of the guides ("Adresse courriel", ...)."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.utils.translation import gettext_lazy as _

from .selectors import email_claims


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
