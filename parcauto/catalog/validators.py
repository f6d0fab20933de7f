from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A bare domain: labels of letters, digits and inner dashes, at least one dot, no "@".
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def validate_email_domain(value: str) -> None:
    if not _DOMAIN.match(value):
        raise ValidationError(
            _("Enter a domain such as cegepmontpetit.ca (lower case, without @)."),
            code="invalid_email_domain",
        )
