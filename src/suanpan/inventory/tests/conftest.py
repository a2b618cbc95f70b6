import datetime

import pytest

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.inventory.services import warehouse_create

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def warehouse(org):
    return warehouse_create(organization=org, actor=None, data={"code": "WH01", "name": "上海总仓"})


@pytest.fixture
def store(org):
    return warehouse_create(organization=org, actor=None, data={"code": "ST01", "name": "南京路门店", "is_store": True})


@pytest.fixture
def make_product(org):
    """make_product("P01", batch=True) → a stocked product of the organization."""

    def make(code="P01", *, batch=False, purchase_price="50.00"):
        unit = Unit.objects.filter(organization=org).first()
        return product_create(
            organization=org,
            actor=None,
            data={
                "code": code,
                "name": f"商品{code}",
                "unit": unit,
                "vat_rate": VatRate.objects.get(organization=org, rate="0.13"),
                "purchase_price": purchase_price,
                "sale_price": "80.00",
                "is_batch_tracked": batch,
            },
        )

    return make
