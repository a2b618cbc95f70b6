"""人民币大写: worked examples, most of them the People's Bank's own (正确填写票据和结算凭证的基本规定)."""

from decimal import Decimal

import pytest

from suanpan.core.money import amount_in_words

EXAMPLES = [
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0.32", "叁角贰分"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100.10", "壹佰元零壹角"),
    ("101", "壹佰零壹元整"),
    ("1004.5", "壹仟零肆元伍角"),
    ("1004.56", "壹仟零肆元伍角陆分"),  # the regulation's example
    ("1409.50", "壹仟肆佰零玖元伍角"),  # the regulation's example
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),  # the regulation's example (first form)
    ("107000.53", "壹拾万柒仟元零伍角叁分"),  # the regulation's example (first form)
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # the regulation's example
    ("325.04", "叁佰贰拾伍元零肆分"),  # the regulation's example
    ("10000", "壹万元整"),
    ("100010", "壹拾万零壹拾元整"),
    ("100700", "壹拾万零柒佰元整"),
    ("1000000", "壹佰万元整"),
    ("100000001", "壹亿零壹元整"),
    ("100000000", "壹亿元整"),
    ("1010101010.10", "壹拾亿壹仟零壹拾万壹仟零壹拾元零壹角"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    ("113.00", "壹佰壹拾叁元整"),
    ("20000.01", "贰万元零壹分"),
    ("100000700000", "壹仟亿零柒拾万元整"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-113", "负壹佰壹拾叁元整"),
    ("-0.05", "负伍分"),
    ("-1004.50", "负壹仟零肆元伍角"),
]


@pytest.mark.parametrize(("amount", "words"), EXAMPLES)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_more_than_two_places_and_floats_are_refused():
    with pytest.raises(ValueError, match="2 decimal places"):
        amount_in_words(Decimal("1.005"))
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too large"):
        amount_in_words(Decimal("1E16"))


def test_trailing_zeros_do_not_matter():
    assert amount_in_words(Decimal("1004.500")) == amount_in_words(Decimal("1004.5"))
