from hypothesis import given
from hypothesis import strategies as st

from parcauto.core.checkdigits import luhn_check_digit, luhn_valid


def test_known_numbers() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_check_digit("7992739871") == "3"
    assert not luhn_valid("٣٤")  # digits of another script are not ours
    assert not luhn_valid("")


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_appending_the_check_digit_makes_a_valid_number(digits: str) -> None:
    assert luhn_valid(digits + luhn_check_digit(digits))


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=12),
    st.integers(min_value=0),
    st.integers(min_value=1, max_value=9),
)
def test_one_mistyped_digit_is_caught(digits: str, position: int, shift: int) -> None:
    number = digits + luhn_check_digit(digits)
    index = position % len(number)
    typo = number[:index] + str((int(number[index]) + shift) % 10) + number[index + 1 :]
    assert not luhn_valid(typo)
