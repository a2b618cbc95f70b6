import pytest
from django.contrib.auth import get_user_model

from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import ApiToken, AuditEvent, Membership, Organization
from suanpan.core.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    membership_add,
    organization_create,
    organization_update,
)

pytestmark = pytest.mark.django_db


def test_organization_with_an_invalid_credit_code_is_refused_and_not_saved(owner):
    before = Organization.objects.count()
    with pytest.raises(InvalidInput) as exc:
        organization_create(owner=owner, data={"name": "坏公司", "credit_code": "91110000100017643A"})
    assert exc.value.errors[0].field == "credit_code"
    assert Organization.objects.count() == before


def test_organization_update_needs_manage_permission(org, member, owner):
    with pytest.raises(PermissionRefused):
        organization_update(organization=org, actor=member("sales"), data={"allow_negative_stock": True})
    organization_update(organization=org, actor=owner, data={"allow_negative_stock": True, "phone": "010-1234567"})
    org.refresh_from_db()
    assert org.allow_negative_stock is True
    event = AuditEvent.objects.filter(organization=org, object_type="core.organization", action="update").get()
    assert event.changes["allow_negative_stock"] == [False, True]


def test_organization_update_refuses_unknown_fields(org, owner):
    with pytest.raises(InvalidInput) as exc:
        organization_update(organization=org, actor=owner, data={"base_currency": "USD"})
    assert exc.value.errors[0].field == "base_currency"


def test_membership_roles_are_validated(org, make_user, owner):
    user = make_user("newbie")
    with pytest.raises(InvalidInput) as exc:
        membership_add(organization=org, actor=owner, user=user, roles=["janitor"])
    assert exc.value.errors[0].field == "roles"
    with pytest.raises(InvalidInput):
        membership_add(organization=org, actor=owner, user=user, roles=[])
    assert not Membership.objects.filter(user=user).exists()
    m = membership_add(organization=org, actor=owner, user=user, roles=["finance", "sales", "sales"])
    assert m.roles == ["sales", "finance"]


def test_only_managers_add_members(org, member, make_user):
    with pytest.raises(PermissionRefused):
        membership_add(organization=org, actor=member("sales"), user=make_user(), roles=["sales"])


def test_token_secret_is_shown_once_and_only_its_digest_stored(org, owner):
    token, secret = api_token_create(organization=org, actor=owner, name="ERP 对接")
    assert secret.startswith("sp_")
    assert secret not in token.digest
    assert api_token_authenticate(secret).pk == token.pk
    assert api_token_authenticate(secret + "x") is None
    assert AuditEvent.objects.filter(object_type="core.apitoken", object_id=str(token.pk), action="create").exists()


def test_revoked_token_no_longer_authenticates(org, owner):
    token, secret = api_token_create(organization=org, actor=owner, name="t")
    api_token_revoke(organization=org, actor=owner, token_id=token.pk)
    assert api_token_authenticate(secret) is None
    assert AuditEvent.objects.filter(object_id=str(token.pk), action=AuditAction.STATE).exists()


def test_token_of_deactivated_member_stops_working(org, member):
    user = member("sales")
    _token, secret = api_token_create(organization=org, actor=user, name="t")
    Membership.objects.filter(user=user).update(is_active=False)
    assert api_token_authenticate(secret) is None


def test_token_needs_a_name_and_cannot_revoke_someone_elses(org, owner, member):
    with pytest.raises(InvalidInput) as exc:
        api_token_create(organization=org, actor=owner, name="  ")
    assert exc.value.errors[0].field == "name"
    token, _secret = api_token_create(organization=org, actor=owner, name="mine")
    with pytest.raises(NotFound):
        api_token_revoke(organization=org, actor=member("admin"), token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_non_member_cannot_create_a_token(org, make_user):
    outsider = get_user_model().objects.create_user("outsider")
    with pytest.raises(NotFound):
        api_token_create(organization=org, actor=outsider, name="x")
