"""Domain errors: a stable code for machines, a translated message for people."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    code: str = "error"

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
