from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcauto.vehicles.normalizers import normalize_plate, plate_match_key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" abc-123 ", "ABC123"),
        ("abc 123", "ABC123"),
        ("F12\u2011ABC", "F12ABC"),  # a non-breaking hyphen pasted from a PDF
        ("v 12 abc", "V12ABC"),
        ("AB", "AB"),
        ("ABCD1234", "ABCD1234"),
    ],
)
def test_a_plate_is_stored_upper_case_without_spaces_or_dashes(typed, stored):
    assert normalize_plate(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", " ", "A", "ABCDE12345", "ÉCOLE1", "AB.123", "AB_123", "AB/12"]
)
def test_anything_but_2_to_8_letters_and_digits_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalize_plate(typed)
    assert error.value.code == "invalid_plate"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ABC123-4", "ABC123"),
        ("abc 123 - 4", "ABC123"),
        ("ABC-123-4", "ABC123"),
        ("FAB1234-5", "FAB1234"),
    ],
)
def test_the_quebec_certificate_check_digit_is_dropped(typed, stored):
    assert normalize_plate(typed, jurisdiction="QC") == stored


@pytest.mark.parametrize(
    ("typed", "jurisdiction", "stored"),
    [
        ("ABC-123", "QC", "ABC123"),  # a dash in the middle is not a check digit
        ("AB12-3", "QC", "AB123"),  # too short to be a plate plus its check digit
        ("ABC123-4", "ON", "ABC1234"),  # only Quebec certificates carry one
    ],
)
def test_other_dashes_are_only_removed(typed, jurisdiction, stored):
    assert normalize_plate(typed, jurisdiction=jurisdiction) == stored


def test_the_match_key_merges_characters_cameras_confuse():
    # O, Q, D -> 0; I -> 1; Z -> 2; S -> 5; G -> 6; B -> 8
    assert plate_match_key("OQDIZSGB") == "00012568"
    assert plate_match_key("ACEFHJKLMNPRTUVWXY") == "ACEFHJKLMNPRTUVWXY"
    assert plate_match_key("0123456789") == "0123456789"


def test_plates_that_read_alike_share_a_key_and_others_do_not():
    assert plate_match_key("BOS123") == plate_match_key("8OS123") == plate_match_key("805I23")
    assert plate_match_key("bos-123") == "805123"
    assert plate_match_key("ABC123") != plate_match_key("ABC124")
