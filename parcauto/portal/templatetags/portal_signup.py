"""What the sign-up page tells people before they choose their e-mail address."""

from __future__ import annotations

from typing import Any

from django import template

from parcauto.catalog.selectors import category_email_domain_rules

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_email_rules(context: dict[str, Any]) -> list[tuple[str, str]]:
    """`{% signup_email_rules as email_rules %}`: (category, domain) pairs of this portal.

    Empty on the operator's host and on portals whose categories accept any address.
    """
    request = context.get("request")
    organization = getattr(request, "organization", None)
    if organization is None:
        return []
    return category_email_domain_rules(organization=organization)
