from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import Books, Voucher
from suanpan.catalog.models import Category, Product
from suanpan.core.choices import AuditAction, TaxpayerType
from suanpan.core.models import AuditEvent, Membership, NumberSequence, Organization
from suanpan.core.validators import is_valid_credit_code
from suanpan.crm.models import Lead
from suanpan.demo import (
    DEMO_ORG_NAME,
    USERS,
    load_demo,
    organization_code,
    organization_code_check_char,
    rng_for,
)
from suanpan.demo_books import LAST_MONTH
from suanpan.inventory.models import Warehouse
from suanpan.partners.choices import PartnerKind, PartnerRole
from suanpan.partners.models import Contact, Partner, Tag
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db


def counts(org):
    partners = Partner.objects.filter(organization=org)
    return {
        "organizations": Organization.objects.count(),
        "customers": partners.filter(is_customer=True).count(),
        "suppliers": partners.filter(is_supplier=True).count(),
        "contacts": Contact.objects.filter(organization=org).count(),
        "tags": Tag.objects.filter(organization=org).count(),
        "products": Product.objects.filter(organization=org).count(),
        "categories": Category.objects.filter(organization=org).count(),
        "warehouses": Warehouse.objects.filter(organization=org).count(),
        "members": Membership.objects.filter(organization=org).count(),
        "audit": AuditEvent.objects.filter(organization=org).count(),
        "sequences": list(NumberSequence.objects.filter(organization=org).values_list("series", "last_number")),
    }


def test_demo_creates_realistic_data_idempotently_and_verifies_clean(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000" in out
    for user in USERS:
        assert f"{user.username:<12}{user.password:<18}" in out
    org = Organization.objects.get(name=DEMO_ORG_NAME)
    assert org.taxpayer_type == TaxpayerType.GENERAL
    assert is_valid_credit_code(org.credit_code)

    first = counts(org)
    # 40 customers of the customer list, and 8 more that demo leads were converted into
    from_leads = set(Lead.objects.filter(organization=org).exclude(customer=None).values_list("customer_id", flat=True))
    assert len(from_leads) == 8
    assert first["customers"] == 40 + 8
    assert first["suppliers"] == 12
    assert first["products"] == 51
    assert first["warehouses"] == 2
    assert first["members"] == len(USERS) == 9

    partners = Partner.objects.filter(organization=org)
    companies = partners.filter(kind=PartnerKind.COMPANY).exclude(pk__in=from_leads)
    # a converted lead's customer carries the lead's credit code, if the lead had one
    assert all(not p.credit_code or is_valid_credit_code(p.credit_code) for p in partners.filter(pk__in=from_leads))
    assert partners.filter(kind=PartnerKind.PERSON, is_customer=True).count() == 4
    assert all(is_valid_credit_code(p.credit_code) for p in companies)
    assert len({p.credit_code for p in companies}) == companies.count()
    assert len({p.province for p in companies.filter(is_customer=True)}) >= 10
    # Codes come from core.numbering, so the sequences stand where the codes end.
    assert set(partners.filter(is_customer=True).values_list("code", flat=True)) == {f"C{n:05d}" for n in range(1, 49)}
    partner_series = sorted(item for item in first["sequences"] if item[0].startswith("partner."))
    assert partner_series == [("partner.customer", 48), ("partner.supplier", 12)]

    # The books: opened last month with accepted opening balances, last month closed, this month in progress.
    books = Books.objects.get(organization=org)
    assert books.opening_accepted
    assert not books.start.is_open
    vouchers = Voucher.objects.filter(organization=org)
    assert (
        vouchers.filter(period=books.start, status=VoucherStatus.POSTED).count() >= len(LAST_MONTH) + 1
    )  # + 结转损益 (+ year-end carry in December)
    assert {v.status for v in vouchers.exclude(period=books.start)} == {
        VoucherStatus.POSTED,
        VoucherStatus.REVIEWED,
        VoucherStatus.DRAFT,
    }
    reps = {u.username for u in (p.owner for p in partners.filter(is_customer=True)) if u is not None}
    assert reps == {"sales", "sales2"}
    assert not companies.filter(contacts__isnull=True).exists()
    assert not partners.filter(is_supplier=True, bank_account="").exists()
    listed = partners.exclude(pk__in=from_leads)  # converted leads' customers keep the model's defaults
    assert not listed.filter(is_customer=True, credit_limit=0).exclude(payment_terms_days=0).exists()
    assert set(Tag.objects.filter(organization=org, partners__isnull=False).values_list("name", flat=True)) >= {
        "重点客户",
        "经销商",
        "新客户",
    }

    products = Product.objects.filter(organization=org)
    assert {p.vat_rate.name for p in products} == {"13%", "9%", "6%"}
    assert products.filter(is_batch_tracked=True, category__parent__code="03").exists()
    assert products.filter(is_batch_tracked=True, category__code="0201").exists()
    assert not products.filter(is_stocked=False).exclude(barcode="").exists()
    assert len({p.barcode for p in products.filter(is_stocked=True)}) == products.filter(is_stocked=True).count()
    assert all(isinstance(p.sale_price, Decimal) and p.sale_price > 0 for p in products)
    assert Category.objects.get(organization=org, code="0202").path == "电子产品 / 电脑配件"

    store = Warehouse.objects.get(organization=org, is_store=True)
    main = Warehouse.objects.get(organization=org, is_store=False)
    assert "门店" in store.name
    assert "总仓" in main.name
    assert store.manager.username == main.manager.username == "warehouse"

    # The services did the writing, as the member whose job it is.
    created = AuditEvent.objects.filter(organization=org, action=AuditAction.CREATE)
    customer_creators = set(created.filter(object_type="partners.partner", object_id__in=[
        str(pk) for pk in partners.filter(is_customer=True).values_list("pk", flat=True)
    ]).values_list("actor__username", flat=True))  # fmt: skip
    assert customer_creators == {"sales", "sales2"}
    assert set(created.filter(object_type="catalog.product").values_list("actor__username", flat=True)) == {
        "purchasing"
    }

    call_command("demo")
    load_demo()
    assert counts(org) == first

    call_command("verify")
    assert capsys.readouterr().out.strip().endswith("clean")

    # A customer entered after the demo continues the numbering.
    new = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "上海新来客户有限公司"})
    assert new.code == "C00049"


def test_every_demo_user_logs_in_with_the_printed_password_and_holds_their_roles():
    org = load_demo()
    for user in USERS:
        client = Client()
        assert client.login(username=user.username, password=user.password), user.username
        page = client.get("/")
        assert page.status_code == 200, user.username
        assert page.context["current_organization"] == org
        membership = Membership.objects.get(organization=org, user__username=user.username)
        assert membership.roles == list(user.roles)
        assert membership.user.get_full_name() == user.full_name


def test_organization_codes_carry_their_gb11714_check_character():
    # D2143569-X is the worked example of GB 11714 (remainder 10 → X); 00000000-0 is the remainder-11 case.
    assert organization_code_check_char("D2143569") == "X"
    assert organization_code_check_char("00000000") == "0"
    for n in range(20):
        code = organization_code(rng_for(f"test:{n}"))
        assert organization_code_check_char(code[:8]) == code[8]
