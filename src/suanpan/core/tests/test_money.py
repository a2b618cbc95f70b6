from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from suanpan.core.money import money, price, qty, to_decimal


def test_money_rounds_half_up_to_the_cent():
    assert money("2.345") == Decimal("2.35")
    assert money("2.344") == Decimal("2.34")
    assert money("-2.345") == Decimal("-2.35")
    assert money(3) == Decimal("3.00")


def test_quantity_and_price_places():
    assert qty("1.23456") == Decimal("1.2346")
    assert price("0.1234565") == Decimal("0.123457")


def test_floats_are_refused():
    with pytest.raises(TypeError, match="refusing float"):
        to_decimal(0.1)
    with pytest.raises(TypeError):
        money(True)


def test_text_with_thousands_separators_and_garbage():
    assert to_decimal(" 1,234.50 ") == Decimal("1234.50")
    with pytest.raises(ValueError, match="not a number"):
        to_decimal("12元")
    with pytest.raises(ValueError, match="finite"):
        to_decimal("NaN")


def test_no_model_stores_a_float():
    floats = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FloatField)
    ]
    assert floats == []
