from decimal import Decimal

import pytest

from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag
from suanpan.partners.services import (
    contact_create,
    contact_delete,
    contact_update,
    partner_create,
    partner_delete,
    partner_update,
)

pytestmark = pytest.mark.django_db
C, S = PartnerRole.CUSTOMER, PartnerRole.SUPPLIER


def new_customer(org, actor, **data):
    data.setdefault("name", "北京科技有限公司")
    return partner_create(organization=org, actor=actor, role=C, data=data)


def test_customer_is_numbered_indexed_and_audited(org, owner):
    partner = partner_create(
        organization=org,
        actor=owner,
        role=C,
        data={"name": " 北京科技有限公司 ", "credit_code": "91110000100017643k", "credit_limit": Decimal("50000")},
        tags=["重点客户", "经销商"],
    )
    assert partner.code == "C00001"
    assert partner.name == "北京科技有限公司"
    assert partner.credit_code == "91110000100017643K"
    assert partner.is_customer
    assert not partner.is_supplier
    assert "bjkj" in partner.search_text
    assert sorted(t.name for t in partner.tags.all()) == ["经销商", "重点客户"]
    event = AuditEvent.objects.get(object_type="partners.partner", object_id=str(partner.pk))
    assert event.action == "create"
    assert event.actor == owner
    assert event.changes["name"] == "北京科技有限公司"
    assert sorted(event.changes["tags"]) == ["经销商", "重点客户"]


def test_codes_continue_and_skip_codes_taken_by_hand(org, owner):
    new_customer(org, owner, code="C00002", name="手工编码")
    assert new_customer(org, owner).code == "C00001"
    assert new_customer(org, owner).code == "C00003"
    assert partner_create(organization=org, actor=owner, role=S, data={"name": "供应商"}).code == "S00001"


def test_duplicate_code_is_a_field_error_and_nothing_is_saved(org, owner):
    new_customer(org, owner, code="K1")
    before = Partner.objects.count()
    with pytest.raises(InvalidInput) as exc:
        new_customer(org, owner, code="K1", name="另一家")
    assert [e.field for e in exc.value.errors] == ["code"]
    assert Partner.objects.count() == before


def test_same_code_in_two_organizations_is_fine(org, other_org, owner):
    new_customer(org, owner, code="K1")
    partner_create(organization=other_org, actor=None, role=C, data={"code": "K1", "name": "别家的客户"})
    assert Partner.objects.filter(code="K1").count() == 2


def test_failed_create_leaves_no_new_tags(org, owner):
    with pytest.raises(InvalidInput):
        partner_create(
            organization=org, actor=owner, role=C, data={"name": "坏数据", "credit_code": "123"}, tags=["新标签"]
        )
    assert not Tag.objects.filter(name="新标签").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"credit_code": "91110000100017643A"}, "credit_code"),
        ({"credit_limit": Decimal("-1")}, "credit_limit"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"payment_terms_days": 99999}, "payment_terms_days"),
    ],
)
def test_invalid_fields_are_named(org, owner, data, field):
    with pytest.raises(InvalidInput) as exc:
        new_customer(org, owner, **data)
    assert field in [e.field for e in exc.value.errors]
    assert not Partner.objects.filter(organization=org).exists()


def test_owner_must_be_a_member(org, owner, make_user, member):
    with pytest.raises(InvalidInput) as exc:
        new_customer(org, owner, owner=make_user("stranger"))
    assert exc.value.errors[0].field == "owner"
    rep = member("sales")
    assert new_customer(org, owner, owner=rep).owner == rep


def test_permission_follows_the_list(org, member):
    sales, buyer = member("sales"), member("purchasing")
    new_customer(org, sales)
    with pytest.raises(PermissionRefused):
        new_customer(org, buyer)
    with pytest.raises(PermissionRefused):
        partner_create(organization=org, actor=sales, role=S, data={"name": "供应商"})


def test_update_records_the_diff(org, owner):
    partner = new_customer(org, owner)
    partner_update(
        organization=org,
        actor=owner,
        role=C,
        partner_id=partner.pk,
        data={"phone": "010-88886666", "credit_limit": Decimal("1000.5")},
        tags=["VIP"],
    )
    partner.refresh_from_db()
    assert partner.credit_limit == Decimal("1000.50")
    event = AuditEvent.objects.filter(object_id=str(partner.pk), action="update").get()
    assert event.changes == {
        "phone": ["", "010-88886666"],
        "credit_limit": ["0.00", "1000.50"],
        "tags": [[], ["VIP"]],
    }


def test_update_with_blank_code_is_refused(org, owner):
    partner = new_customer(org, owner)
    with pytest.raises(InvalidInput) as exc:
        partner_update(organization=org, actor=owner, role=C, partner_id=partner.pk, data={"code": ""})
    assert exc.value.errors[0].field == "code"
    partner.refresh_from_db()
    assert partner.code == "C00001"


def test_a_customer_is_not_found_through_the_supplier_list(org, owner):
    partner = new_customer(org, owner)
    with pytest.raises(NotFound):
        partner_update(organization=org, actor=owner, role=S, partner_id=partner.pk, data={"name": "x"})


def test_another_organizations_partner_is_not_found(org, other_org, owner):
    theirs = partner_create(organization=other_org, actor=None, role=C, data={"name": "别家的客户"})
    with pytest.raises(NotFound):
        partner_update(organization=org, actor=owner, role=C, partner_id=theirs.pk, data={"name": "抢过来"})
    with pytest.raises(NotFound):
        partner_delete(organization=org, actor=owner, role=C, partner_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.name == "别家的客户"


def test_delete_is_audited(org, owner):
    partner = new_customer(org, owner)
    partner_delete(organization=org, actor=owner, role=C, partner_id=partner.pk)
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(partner.pk), action="delete").exists()


def test_contacts_keep_one_primary(org, owner):
    partner = new_customer(org, owner)
    first = contact_create(
        organization=org,
        actor=owner,
        role=C,
        partner_id=partner.pk,
        data={"name": "王经理", "mobile": "13800138000", "is_primary": True},
    )
    second = contact_create(
        organization=org, actor=owner, role=C, partner_id=partner.pk, data={"name": "李会计", "is_primary": True}
    )
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    contact_update(
        organization=org, actor=owner, role=C, partner_id=partner.pk, contact_id=first.pk, data={"is_primary": True}
    )
    second.refresh_from_db()
    assert second.is_primary is False
    contact_delete(organization=org, actor=owner, role=C, partner_id=partner.pk, contact_id=second.pk)
    assert list(Contact.objects.filter(partner=partner).values_list("name", flat=True)) == ["王经理"]


def test_contact_of_another_partner_is_not_found(org, owner):
    a, b = new_customer(org, owner, name="甲"), new_customer(org, owner, name="乙")
    contact = contact_create(organization=org, actor=owner, role=C, partner_id=a.pk, data={"name": "张三"})
    with pytest.raises(NotFound):
        contact_update(
            organization=org, actor=owner, role=C, partner_id=b.pk, contact_id=contact.pk, data={"name": "改名"}
        )


def test_deleting_a_partner_deletes_its_contacts(org, owner):
    partner = new_customer(org, owner)
    contact_create(organization=org, actor=owner, role=C, partner_id=partner.pk, data={"name": "张三"})
    partner_delete(organization=org, actor=owner, role=C, partner_id=partner.pk)
    assert not Contact.objects.filter(organization=org).exists()


def test_tags_are_master_data_of_the_customer_team(org, owner, member):
    from suanpan.partners.services import tag_create, tag_delete, tag_update

    tag = tag_create(organization=org, actor=member("marketing"), data={"name": " 经销商 ", "color": "success"})
    assert tag.name == "经销商"
    with pytest.raises(InvalidInput) as exc:
        tag_create(organization=org, actor=owner, data={"name": "经销商"})
    assert exc.value.errors[0].field == "name"
    with pytest.raises(InvalidInput) as exc:
        tag_update(organization=org, actor=owner, pk=tag.pk, data={"color": "pink"})
    assert exc.value.errors[0].field == "color"
    with pytest.raises(PermissionRefused):
        tag_create(organization=org, actor=member("purchasing"), data={"name": "x"})
    customer = partner_create(organization=org, actor=owner, role=C, data={"name": "甲"}, tags=[tag])
    tag_delete(organization=org, actor=owner, pk=tag.pk)
    assert list(customer.tags.all()) == []
