"""The two languages Parcauto speaks, and which one is active."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language

Language = Literal["fr", "en"]


def active_language() -> Language:
    """English when the active language is English (`en`, `en-ca`...), else French."""
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def localized(french: str, english: str) -> str:
    """The English text when English is active and there is one; French otherwise."""
    return english if english and active_language() == "en" else french
