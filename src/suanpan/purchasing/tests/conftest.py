import datetime

import pytest

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.inventory.services import warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def warehouse(org):
    return warehouse_create(organization=org, actor=None, data={"code": "WH01", "name": "上海总仓"})


@pytest.fixture
def supplier(org):
    return partner_create(
        organization=org, actor=None, role=PartnerRole.SUPPLIER, data={"name": "华东文具批发", "payment_terms_days": 30}
    )


@pytest.fixture
def make_product(org):
    def make(code="P01", *, batch=False, rate="0.13"):
        return product_create(
            organization=org,
            actor=None,
            data={
                "code": code,
                "name": f"商品{code}",
                "unit": Unit.objects.filter(organization=org).first(),
                "vat_rate": VatRate.objects.get(organization=org, rate=rate),
                "purchase_price": "11.30",
                "sale_price": "20.00",
                "is_batch_tracked": batch,
            },
        )

    return make
