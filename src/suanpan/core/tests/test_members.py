import pytest
from django.contrib.auth import get_user_model

from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent, Membership
from suanpan.core.services import member_invite, membership_update

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_invite_a_new_account(org, owner):
    m = member_invite(
        organization=org, actor=owner, username="lisi", full_name="李四", password="s3cret-pass", roles=["sales"]
    )
    assert m.user.check_password("s3cret-pass")
    assert m.roles == ["sales"]
    assert AuditEvent.objects.filter(object_type="core.membership", object_id=str(m.pk), action="create").exists()


def test_invite_an_existing_user_of_another_organization(org, other_org, owner):
    someone = Membership.objects.get(organization=other_org).user
    m = member_invite(organization=org, actor=owner, username=someone.username, roles=["finance"])
    assert m.user == someone
    with pytest.raises(InvalidInput) as exc:
        member_invite(organization=org, actor=owner, username=someone.username, roles=["sales"])
    assert exc.value.errors[0].field == "username"


def test_invite_refusals_save_nothing(org, owner, member):
    users = User.objects.count()
    with pytest.raises(InvalidInput) as exc:
        member_invite(organization=org, actor=owner, username="new", password="short", roles=["sales"])
    assert exc.value.errors[0].field == "password"
    with pytest.raises(InvalidInput) as exc:
        member_invite(organization=org, actor=owner, username="new", password="long-enough", roles=["boss"])
    assert exc.value.errors[0].field == "roles"
    with pytest.raises(InvalidInput) as exc:
        member_invite(organization=org, actor=owner, username="bad name!", password="long-enough", roles=["sales"])
    assert exc.value.errors[0].field == "username"
    with pytest.raises(PermissionRefused):
        member_invite(organization=org, actor=member("sales"), username="x", password="long-enough", roles=["sales"])
    assert User.objects.count() == users + 1  # only the member() fixture's user


def test_update_roles_and_access(org, owner, member):
    rep = member("sales")
    m = Membership.objects.get(organization=org, user=rep)
    membership_update(organization=org, actor=owner, membership_id=m.pk, roles=["sales", "service"], is_active=False)
    m.refresh_from_db()
    assert (m.roles, m.is_active) == (["sales", "service"], False)
    event = AuditEvent.objects.get(object_type="core.membership", object_id=str(m.pk), action="update")
    assert event.changes == {"roles": [["sales"], ["sales", "service"]], "is_active": [True, False]}


def test_the_last_owner_stays(org, owner):
    mine = Membership.objects.get(organization=org, user=owner)
    with pytest.raises(InvalidInput) as exc:
        membership_update(organization=org, actor=owner, membership_id=mine.pk, roles=["admin"], is_active=True)
    assert exc.value.errors[0].field == "roles"
    with pytest.raises(InvalidInput) as exc:
        membership_update(organization=org, actor=owner, membership_id=mine.pk, roles=["owner"], is_active=False)
    assert exc.value.errors[0].field == "is_active"
    mine.refresh_from_db()
    assert (mine.roles, mine.is_active) == (["owner"], True)


def test_another_organizations_member_is_not_found(org, other_org, owner):
    theirs = Membership.objects.get(organization=other_org)
    with pytest.raises(NotFound):
        membership_update(organization=org, actor=owner, membership_id=theirs.pk, roles=["sales"], is_active=False)


def test_member_pages(owner_client, org):
    r = owner_client.post(
        "/settings/members/new/",
        {"username": "wangwu", "full_name": "王五", "password": "long-enough", "roles": ["warehouse"]},
    )
    assert r.status_code == 302
    m = Membership.objects.get(organization=org, user__username="wangwu")
    r = owner_client.post(f"/settings/members/{m.pk}/", {"roles": ["warehouse", "purchasing"], "is_active": "on"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.roles == ["purchasing", "warehouse"]
    r = owner_client.post("/settings/members/new/", {"username": "x", "password": "1", "roles": ["sales"]})
    assert r.status_code == 422
    assert 'data-field="password"' in r.content.decode()
    assert "王五" in owner_client.get("/settings/organization/").content.decode()
