"""PARAMÈTRES' forms: language and e-mails, and the closure of the account."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import Language
from parcauto.notifications.topics import EmailTopic


class CommunicationForm(forms.Form):
    """ "Langue et courriels": the language of pages and e-mails, and the optional e-mails
    wanted (ticked) among those a person may refuse."""

    language = forms.ChoiceField(
        label=_("Language of pages and e-mails"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Required field")},
    )
    wanted = forms.MultipleChoiceField(
        label=_("Optional e-mails I want to receive"),
        choices=EmailTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["language"])
        field.choices = [c for c in Language.choices if c[0] in languages]

    def refused(self) -> set[str]:
        return set(EmailTopic.values) - set(self.cleaned_data["wanted"])


class ClosureForm(forms.Form):
    """ "Fermer mon compte": the password again, and the consequences acknowledged."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Required field")},
    )
    understood = forms.BooleanField(
        label=_(
            "I understand that my account, my personal information, my vehicles and my "
            "files will be erased, and that this cannot be undone."
        ),
        error_messages={"required": _("Tick this box to close your account.")},
    )
