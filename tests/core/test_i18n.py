from __future__ import annotations

import pytest
from django.utils import translation

from parcauto.core.i18n import active_language, localized


@pytest.mark.parametrize(
    ("active", "expected"), [("fr", "fr"), ("en", "en"), ("en-ca", "en"), ("fr-ca", "fr")]
)
def test_active_language_is_english_only_when_english_is_active(active, expected):
    with translation.override(active):
        assert active_language() == expected


def test_localized_falls_back_to_french_when_there_is_no_english():
    with translation.override("en"):
        assert localized("Stationnement", "Parking") == "Parking"
        assert localized("Stationnement", "") == "Stationnement"
    with translation.override("fr"):
        assert localized("Stationnement", "Parking") == "Stationnement"
