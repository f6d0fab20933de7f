"""What the catalog refuses, with a stable code and a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError


class CatalogError(DomainError):
    code = "catalog_error"


class EmailDomainNotAllowed(CatalogError):
    """The category asks for an institution address (students use @cegepmontpetit.ca)."""

    code = "email_domain_not_allowed"

    def __init__(self, *, category_name: str, domain: str) -> None:
        super().__init__(
            _("The “%(category)s” category requires an @%(domain)s e-mail address.")
            % {"category": category_name, "domain": domain}
        )
        self.category_name = category_name
        self.domain = domain


class OtherOrganizationRows(CatalogError):
    """A product may only use the lots and categories of its own institution."""

    code = "other_organization"

    def __init__(self, *, labels: list[str]) -> None:
        super().__init__(
            _("These belong to another institution: %(labels)s.") % {"labels": ", ".join(labels)}
        )
        self.labels = labels
