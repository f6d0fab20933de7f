"""Errors of the payments app."""

from __future__ import annotations

from parcauto.core.errors import DomainError


class CollectionError(DomainError):
    """A collection file cannot be made, or a bank's report cannot be read or applied."""

    code = "collection_error"
