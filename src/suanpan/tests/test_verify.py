import pytest
from django.core.management import call_command

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.catalog.services import category_create, product_create
from suanpan.core.models import Organization
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_create
from suanpan.verify import verify

pytestmark = pytest.mark.django_db


def make_product(org, owner):
    return product_create(
        organization=org,
        actor=owner,
        data={
            "code": "P1",
            "name": "纸",
            "unit": Unit.objects.get(organization=org, code="PCS"),
            "vat_rate": VatRate.objects.get(organization=org, name="13%"),
        },
    )


def test_clean_data_verifies_clean(org, other_org, owner, capsys):
    make_product(org, owner)
    partner_create(organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "甲"}, tags=["重点"])
    call_command("verify")
    assert capsys.readouterr().out.strip().endswith("clean")


def test_a_reference_to_another_organization_is_reported(org, other_org, owner, capsys):
    product = make_product(org, owner)
    Product.objects.filter(pk=product.pk).update(unit=Unit.objects.get(organization=other_org, code="PCS"))
    with pytest.raises(SystemExit) as exc:
        call_command("verify")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "product P1: unit belongs to another organization" in out
    assert verify(Organization.objects.filter(pk=other_org.pk)) == {}


def test_rows_written_behind_the_services_back_are_reported(org, owner):
    Partner.objects.create(organization=org, code="X1", name="偷偷写入", is_customer=True, credit_code="123")
    report = verify([org])[f"#{org.pk} {org.name}"]
    assert report["every record's creation is audited"] == [
        f"partners.partner #{Partner.objects.get().pk}: no audit record of its creation"
    ]
    assert report["stored credit codes are valid"] == ["partner X1: invalid credit code 123"]


def test_category_cycle_is_reported(org, owner):
    a = category_create(organization=org, actor=owner, data={"code": "A", "name": "甲"})
    b = category_create(organization=org, actor=owner, data={"code": "B", "name": "乙", "parent": a})
    Category.objects.filter(pk=a.pk).update(parent=b)
    report = verify([org])[f"#{org.pk} {org.name}"]
    assert sorted(report["category tree has no cycles"]) == [
        "category A: its parent chain loops",
        "category B: its parent chain loops",
    ]


def test_unknown_organization_option(capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--organization"):
        call_command("verify", "--organization", "999999")


def test_a_tag_of_another_organization_is_reported(org, other_org, owner):
    from suanpan.partners.models import Tag

    partner = partner_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "甲"}, tags=["自己的"]
    )
    partner.tags.add(Tag.objects.create(organization=other_org, name="别人的"))
    report = verify([org])[f"#{org.pk} {org.name}"]
    assert report["references stay inside the organization"] == [
        f"partner {partner.code}: has a tag of another organization"
    ]
