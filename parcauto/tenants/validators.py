from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_brand_colour(value: str) -> None:
    """Brand colours carry white text (buttons, header): WCAG AA needs 4.5:1."""
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Enter a colour as #RRGGBB."), code="invalid_colour")
    if contrast_ratio(value, "#ffffff") < 4.5:
        raise ValidationError(
            _("White text on this colour is not readable enough (contrast below 4.5:1)."),
            code="low_contrast",
        )


def validate_hostname(value: str) -> None:
    if not HOSTNAME.match(value):
        raise ValidationError(
            _("Enter a host name such as cem.parcauto.ca (lower case, no port)."),
            code="invalid_hostname",
        )


# A bare domain: labels of letters, digits and inner dashes, at least one dot, no "@".
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def validate_email_domain(value: str) -> None:
    if not _DOMAIN.match(value):
        raise ValidationError(
            _("Enter a domain such as cegepmontpetit.ca (lower case, without @)."),
            code="invalid_email_domain",
        )
