import pytest
from django.core.exceptions import ValidationError

from suanpan.core.validators import credit_code_check_char, is_valid_credit_code, validate_credit_code

VALID = ["91110000100017643K", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_published_credit_codes_are_valid(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)


def test_check_character_is_computed_from_the_first_17():
    # Worked by hand (GB 32100-2015): values 9,1,1,1,0,0,0,0,1,0,0,0,1,7,6,4,3 times weights
    # 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 sum to 508; 508 mod 31 = 12; 31 - 12 = 19 → "K".
    assert credit_code_check_char("91110000100017643") == "K"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000100017643A", "check character"),
        ("9111000010001764", "18 characters"),
        ("91110000100O17643K", "except I, O, S, V, Z"),
        ("91A10000100017643K", "characters 3-8 are digits"),
    ],
)
def test_invalid_credit_codes_are_refused_with_the_reason(code, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert fragment in exc.value.messages[0]
    assert not is_valid_credit_code(code)


def test_blank_credit_code_is_allowed():
    validate_credit_code("")
