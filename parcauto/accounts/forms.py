"""allauth's forms, with the wording of the guides ("Adresse courriel", ...)."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


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


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("E-mail address")})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("Password confirmation")})
        self.fields["password1"].help_text = _("8 characters minimum.")
