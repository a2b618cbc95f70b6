import pytest
from django.core.management import call_command
from django.test import Client

from suanpan.catalog.models import Category, Product
from suanpan.core.models import AuditEvent, Membership, Organization
from suanpan.core.validators import is_valid_credit_code
from suanpan.demo import DEMO_ORG_NAME, USERS, load_demo
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Contact, Partner
from suanpan.verify import verify

pytestmark = pytest.mark.django_db


def counts(org):
    return {
        "customers": Partner.objects.filter(organization=org, is_customer=True).count(),
        "suppliers": Partner.objects.filter(organization=org, is_supplier=True).count(),
        "contacts": Contact.objects.filter(organization=org).count(),
        "products": Product.objects.filter(organization=org).count(),
        "categories": Category.objects.filter(organization=org).count(),
        "warehouses": Warehouse.objects.filter(organization=org).count(),
        "members": Membership.objects.filter(organization=org).count(),
        "audit": AuditEvent.objects.filter(organization=org).count(),
    }


def test_demo_is_realistic_idempotent_and_verifies_clean(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000" in out
    assert "demo-sales" in out
    org = Organization.objects.get(name=DEMO_ORG_NAME)
    first = counts(org)
    assert first["customers"] >= 40
    assert first["suppliers"] >= 12
    assert first["products"] >= 30
    assert first["warehouses"] == 2
    assert first["members"] == len(USERS)
    assert Warehouse.objects.filter(organization=org, is_store=True).count() == 1
    assert Product.objects.filter(organization=org, is_batch_tracked=True).exists()
    codes = Partner.objects.filter(organization=org).exclude(credit_code="").values_list("credit_code", flat=True)
    assert codes
    assert all(is_valid_credit_code(c) for c in codes)
    assert is_valid_credit_code(org.credit_code)

    load_demo()
    assert counts(org) == first
    assert Organization.objects.filter(name=DEMO_ORG_NAME).count() == 1
    assert verify(Organization.objects.all()) == {}


def test_every_demo_user_can_log_in_and_sees_the_home_page():
    load_demo()
    for user in USERS:
        client = Client()
        assert client.login(username=user.username, password=user.password), user.username
        page = client.get("/")
        assert page.status_code == 200
        assert page.context["current_organization"].name == DEMO_ORG_NAME
