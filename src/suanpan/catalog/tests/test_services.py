from decimal import Decimal

import pytest

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.catalog.services import (
    catalog_seed,
    category_create,
    category_update,
    product_create,
    product_delete,
    product_update,
    unit_create,
    unit_delete,
    vat_rate_create,
)
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def refs(org):
    return {
        "unit": Unit.objects.get(organization=org, code="PCS"),
        "vat_rate": VatRate.objects.get(organization=org, name="13%"),
    }


def new_product(org, actor, **data):
    payload = {"code": "P001", "name": "A4复印纸", **refs(org), **data}
    return product_create(organization=org, actor=actor, data=payload)


def test_seed_is_idempotent(org):
    before = (VatRate.objects.filter(organization=org).count(), Unit.objects.filter(organization=org).count())
    catalog_seed(organization=org)
    assert (VatRate.objects.filter(organization=org).count(), Unit.objects.filter(organization=org).count()) == before
    assert before[0] == 7
    rates = dict(VatRate.objects.filter(organization=org).values_list("name", "rate"))
    assert rates["13%"] == Decimal("0.1300")
    assert rates["0%"] == Decimal("0")


def test_product_create_indexes_and_audits(org, owner):
    product = new_product(
        org,
        owner,
        specification="70g 500张/包",
        sale_price=Decimal("25.50"),
        purchase_price=Decimal("18.123456"),
        min_stock=Decimal("10"),
        max_stock=Decimal("100"),
    )
    assert "a4fyz" in product.search_text
    assert product.sale_price == Decimal("25.50")
    event = AuditEvent.objects.get(object_type="catalog.product", object_id=str(product.pk))
    assert event.changes["purchase_price"] == "18.123456"
    assert event.changes["unit"] == "个"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sale_price": Decimal("-1")}, "sale_price"),
        ({"purchase_price": Decimal("-0.01")}, "purchase_price"),
        ({"min_stock": Decimal("-5")}, "min_stock"),
        ({"min_stock": Decimal("10"), "max_stock": Decimal("5")}, "max_stock"),
        ({"sale_price": Decimal("1.1234567")}, "sale_price"),
        ({"code": ""}, "code"),
        ({"unit": None}, "unit"),
    ],
)
def test_invalid_products_are_refused_by_field(org, owner, data, field):
    with pytest.raises(InvalidInput) as exc:
        new_product(org, owner, **data)
    assert field in [e.field for e in exc.value.errors]
    assert not Product.objects.filter(organization=org).exists()


def test_duplicate_product_code(org, owner):
    new_product(org, owner)
    with pytest.raises(InvalidInput) as exc:
        new_product(org, owner, name="另一种纸")
    assert [e.field for e in exc.value.errors] == ["code"]
    assert Product.objects.filter(organization=org).count() == 1


def test_references_to_another_organization_are_refused(org, other_org, owner):
    with pytest.raises(InvalidInput) as exc:
        new_product(org, owner, unit=Unit.objects.get(organization=other_org, code="PCS"))
    assert exc.value.errors[0].field == "unit"
    with pytest.raises(InvalidInput) as exc:
        new_product(org, owner, vat_rate_id=VatRate.objects.get(organization=other_org, name="9%").pk)
    assert exc.value.errors[0].field == "vat_rate"
    with pytest.raises(InvalidInput) as exc:
        new_product(org, owner, unit_id=999_999)
    assert exc.value.errors[0].field == "unit"
    assert not Product.objects.filter(organization=org).exists()


def test_update_and_delete(org, owner):
    product = new_product(org, owner)
    product_update(organization=org, actor=owner, pk=product.pk, data={"sale_price": Decimal("30")})
    product.refresh_from_db()
    assert product.sale_price == Decimal("30")
    update = AuditEvent.objects.get(object_id=str(product.pk), object_type="catalog.product", action="update")
    assert update.changes == {"sale_price": ["0.000000", "30.000000"]}
    product_delete(organization=org, actor=owner, pk=product.pk)
    assert not Product.objects.filter(pk=product.pk).exists()


def test_another_organizations_product_is_not_found(org, other_org, owner):
    theirs = product_create(organization=other_org, actor=None, data={"code": "X", "name": "别家的", **refs(other_org)})
    with pytest.raises(NotFound):
        product_update(organization=org, actor=owner, pk=theirs.pk, data={"name": "改"})
    with pytest.raises(NotFound):
        product_delete(organization=org, actor=owner, pk=theirs.pk)
    assert Product.objects.filter(pk=theirs.pk, name="别家的").exists()


def test_roles_without_change_product_are_refused(org, member):
    for role in ("sales", "service", "finance", "marketing"):
        with pytest.raises(PermissionRefused):
            new_product(org, member(role))
    assert new_product(org, member("warehouse")).code == "P001"


def test_a_unit_in_use_cannot_be_deleted(org, owner):
    product = new_product(org, owner)
    with pytest.raises(DomainError) as exc:
        unit_delete(organization=org, actor=owner, pk=product.unit_id)
    assert exc.value.code == "in_use"
    assert Unit.objects.filter(pk=product.unit_id).exists()
    unused = unit_create(organization=org, actor=owner, data={"code": "DOZ", "name": "打"})
    unit_delete(organization=org, actor=owner, pk=unused.pk)
    assert not Unit.objects.filter(pk=unused.pk).exists()


def test_category_tree_refuses_cycles(org, owner):
    office = category_create(organization=org, actor=owner, data={"code": "01", "name": "办公用品"})
    paper = category_create(organization=org, actor=owner, data={"code": "0101", "name": "纸张", "parent": office})
    assert paper.path == "办公用品 / 纸张"
    with pytest.raises(InvalidInput) as exc:
        category_update(organization=org, actor=owner, pk=office.pk, data={"parent": paper})
    assert exc.value.errors[0].field == "parent"
    with pytest.raises(InvalidInput):
        category_update(organization=org, actor=owner, pk=office.pk, data={"parent": office})
    office.refresh_from_db()
    assert office.parent_id is None
    assert Category.objects.filter(organization=org).count() == 2


def test_vat_rate_range(org, owner):
    with pytest.raises(InvalidInput) as exc:
        vat_rate_create(organization=org, actor=owner, data={"name": "200%", "rate": Decimal("2")})
    assert exc.value.errors[0].field == "rate"
    with pytest.raises(InvalidInput) as exc:
        vat_rate_create(organization=org, actor=owner, data={"name": "13%", "rate": Decimal("0.13")})
    assert exc.value.errors[0].field == "name"
