"""A category's e-mail domain is validated as the institution's sign-up domain is."""

from __future__ import annotations

from parcauto.tenants.validators import validate_email_domain

__all__ = ["validate_email_domain"]
