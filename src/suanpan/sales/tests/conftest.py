"""Shared set-up for the sales tests: a warehouse, a customer, products and stock received at a known cost."""

import datetime
from decimal import Decimal

import pytest

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def warehouse(org):
    return warehouse_create(organization=org, actor=None, data={"code": "WH01", "name": "上海总仓"})


@pytest.fixture
def customer(org):
    return partner_create(
        organization=org,
        actor=None,
        role=PartnerRole.CUSTOMER,
        data={"name": "北京星河科技有限公司", "payment_terms_days": 30},
    )


@pytest.fixture
def make_product(org):
    """make_product("P01", batch=True, sale_price="20.00") → a stocked product of the organization."""

    def make(code="P01", *, batch=False, rate="0.13", sale_price="20.00", stocked=True):
        return product_create(
            organization=org,
            actor=None,
            data={
                "code": code,
                "name": f"商品{code}",
                "unit": Unit.objects.filter(organization=org).first(),
                "vat_rate": VatRate.objects.get(organization=org, rate=rate),
                "purchase_price": "10.00",
                "sale_price": sale_price,
                "is_batch_tracked": batch,
                "is_stocked": stocked,
            },
        )

    return make


@pytest.fixture
def stock(org):
    """stock(product, warehouse, "10", "8.00") → receive that many at that unit cost (an opening move)."""

    def receive(product, warehouse, quantity, unit_cost, *, date=DAY, lot_id=None):
        spec = MoveSpec(
            product.pk, warehouse.pk, Decimal(quantity), MoveKind.OPENING, lot_id=lot_id, unit_cost=Decimal(unit_cost)
        )
        return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]

    return receive
