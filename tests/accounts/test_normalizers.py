from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcauto.accounts.normalizers import format_phone, normalize_phone, normalize_postal_code


@pytest.mark.parametrize("typed", ["h2x1y4", "H2X-1Y4", " h2x 1y4 ", "H2X1Y4"])
def test_postal_codes_are_stored_upper_case_with_one_space(typed: str) -> None:
    assert normalize_postal_code(typed) == "H2X 1Y4"


@pytest.mark.parametrize("typed", ["", "H2X-1Y", "12345", "D2X 1Y4", "W2X 1Y4", "H2X 1Y4 5"])
def test_malformed_postal_codes_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalize_postal_code(typed)
    assert error.value.code == "invalid_postal_code"


@pytest.mark.parametrize(
    "typed", ["514-555-1234", "(514) 555-1234", "514 555 1234", "+1 514 555 1234", "15145551234"]
)
def test_phone_numbers_are_stored_in_e164(typed: str) -> None:
    assert normalize_phone(typed) == "+15145551234"


@pytest.mark.parametrize("typed", ["555-1234", "abc", "514-555-12345", "000-000-0000"])
def test_invalid_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)
    assert error.value.code == "invalid_phone"


def test_canadian_numbers_are_shown_in_the_national_format() -> None:
    assert format_phone("+15145551234") == "(514) 555-1234"
    assert format_phone("") == ""
