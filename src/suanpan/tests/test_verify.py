from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.catalog.services import category_create, product_create
from suanpan.core.models import NumberSequence, Organization
from suanpan.inventory.models import Warehouse
from suanpan.inventory.services import warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner, Tag
from suanpan.partners.services import contact_create, partner_create
from suanpan.verify import CHECKS, verify

pytestmark = pytest.mark.django_db


def make_product(org, owner, code="P1"):
    return product_create(
        organization=org,
        actor=owner,
        data={
            "code": code,
            "name": "纸",
            "unit": Unit.objects.get(organization=org, code="PCS"),
            "vat_rate": VatRate.objects.get(organization=org, name="13%"),
        },
    )


def run_verify(*args):
    """(exit code, output) of `suanpan verify`."""
    out = StringIO()
    try:
        call_command("verify", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def report_of(org):
    return verify([org]).get(f"#{org.pk} {org.name}", {})


def test_clean_data_prints_every_check_and_exits_0(org, other_org, owner, member):
    rep = member("sales")
    category = category_create(organization=org, actor=owner, data={"code": "01", "name": "办公用品"})
    category_create(organization=org, actor=owner, data={"code": "0101", "name": "纸张", "parent": category})
    make_product(org, owner)
    customer = partner_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "甲", "owner": rep}, tags=["重点"]
    )
    contact_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"name": "王经理"}
    )
    partner_create(organization=other_org, actor=None, role=PartnerRole.SUPPLIER, data={"name": "乙"})
    warehouse_create(organization=org, actor=owner, data={"code": "WH", "name": "总仓", "manager": rep})

    code, out = run_verify()

    assert code == 0
    assert out.count("  ok    ") == 2 * len(CHECKS)
    for check in CHECKS:
        assert f"  ok    {check.name}\n" in out
    assert f"#{org.pk} 测试贸易有限公司" in out
    assert out.strip().endswith(f"{len(CHECKS)} checks on 2 organization(s): clean")
    assert verify(Organization.objects.all()) == {}


def test_a_unit_of_another_organization_is_reported_with_exit_code_1(org, other_org, owner):
    product = make_product(org, owner)
    Product.objects.filter(pk=product.pk).update(unit=Unit.objects.get(organization=other_org, code="PCS"))

    code, out = run_verify()

    assert code == 1
    assert "  FAIL  references stay inside the organization: 1 difference(s)" in out
    assert "- product P1: unit belongs to another organization" in out
    assert "1 difference(s) in 1 failing check(s)" in out
    assert report_of(other_org) == {}
    # Limited to the other organization, which is clean.
    assert run_verify("--organization", str(other_org.pk))[0] == 0
    assert run_verify("--organization", str(org.pk))[0] == 1


def test_every_kind_of_foreign_reference_is_reported(org, other_org, owner, member, make_user):
    rep = member("sales")
    outsider = make_user("outsider")
    theirs = category_create(organization=other_org, actor=None, data={"code": "X", "name": "别家类"})
    mine = category_create(organization=org, actor=owner, data={"code": "A", "name": "甲类"})
    product = make_product(org, owner)
    customer = partner_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "甲", "owner": rep}
    )
    contact = contact_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"name": "王"}
    )
    foreign_partner = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "乙"})
    warehouse = warehouse_create(organization=org, actor=owner, data={"code": "WH", "name": "总仓", "manager": rep})

    Product.objects.filter(pk=product.pk).update(
        category=theirs, vat_rate=VatRate.objects.get(organization=other_org, name="13%")
    )
    Category.objects.filter(pk=mine.pk).update(parent=theirs)
    Partner.objects.filter(pk=customer.pk).update(owner=outsider)
    type(contact).objects.filter(pk=contact.pk).update(partner=foreign_partner)
    Warehouse.objects.filter(pk=warehouse.pk).update(manager=outsider)

    assert sorted(report_of(org)["references stay inside the organization"]) == sorted(
        [
            f"partner {customer.code}: owner is not an active member",
            f"contact #{contact.pk}: its partner belongs to another organization",
            "product P1: VAT rate belongs to another organization",
            "product P1: category belongs to another organization",
            "category A: parent belongs to another organization",
            "warehouse WH: manager is not an active member",
        ]
    )


def test_a_tag_of_another_organization_is_reported(org, other_org, owner):
    partner = partner_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "甲"}, tags=["自己的"]
    )
    partner.tags.add(Tag.objects.create(organization=other_org, name="别人的"))
    assert report_of(org)["references stay inside the organization"] == [
        f"partner {partner.code}: has a tag of another organization"
    ]


def test_rows_written_behind_the_services_back_are_reported(org, owner):
    Partner.objects.create(organization=org, code="X1", name="偷偷写入", is_customer=True, credit_code="123")
    report = report_of(org)
    assert report["every record's creation is audited"] == [
        f"partners.partner #{Partner.objects.get().pk}: no audit record of its creation"
    ]
    assert report["stored credit codes are valid"] == ["partner X1: invalid credit code 123"]


def test_category_cycle_is_reported(org, owner):
    a = category_create(organization=org, actor=owner, data={"code": "A", "name": "甲"})
    b = category_create(organization=org, actor=owner, data={"code": "B", "name": "乙", "parent": a})
    Category.objects.filter(pk=a.pk).update(parent=b)
    assert report_of(org)["category tree has no cycles"] == [
        "category A: its parent chain loops",
        "category B: its parent chain loops",
    ]


def test_a_sequence_behind_the_codes_in_use_is_reported(org, other_org, owner):
    for name in ("甲", "乙", "丙"):
        partner_create(organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": name})
    partner_create(organization=org, actor=owner, role=PartnerRole.SUPPLIER, data={"name": "供"})
    partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家"})
    # Codes that do not look like the series' own numbers are not its business.
    partner_create(organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "丁", "code": "C-VIP-9"})
    assert "number sequences are ahead of the numbers in use" not in report_of(org)

    NumberSequence.objects.filter(organization=org, series="partner.customer").update(last_number=1)
    assert report_of(org)["number sequences are ahead of the numbers in use"] == [
        "sequence partner.customer stands at 1, but C00003 is already in use"
    ]
    NumberSequence.objects.filter(organization=org, series="partner.supplier").delete()
    assert report_of(org)["number sequences are ahead of the numbers in use"] == [
        "sequence partner.customer stands at 1, but C00003 is already in use",
        "sequence partner.supplier stands at 0, but S00001 is already in use",
    ]
    assert report_of(other_org) == {}


def test_an_unknown_organization_is_refused():
    with pytest.raises(CommandError, match="--organization"):
        call_command("verify", "--organization", "999999")


def test_the_ledger_checks_are_registered():
    from suanpan.accounting import checks

    registered = {c.run for c in CHECKS}
    assert {checks.vouchers_balance, checks.balances_match_lines, checks.trial_balance_balances} <= registered
    assert len({c.name for c in CHECKS}) == len(CHECKS)
