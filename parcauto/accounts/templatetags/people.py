"""How a person's contact details print, on the portal and in the back office."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from parcauto.accounts.normalizers import format_phone

register = template.Library()


@register.filter
def phone(number: str, extension: str = "") -> str:
    """`(819) 555-1234, poste 12` from the stored E.164 number and its extension."""
    if not number:
        return ""
    text = format_phone(number)
    if extension:
        text = _("%(number)s, ext. %(extension)s") % {"number": text, "extension": extension}
    return text
