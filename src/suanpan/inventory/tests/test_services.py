import pytest

from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.inventory.models import Warehouse
from suanpan.inventory.services import warehouse_create, warehouse_delete, warehouse_update

pytestmark = pytest.mark.django_db


def test_warehouse_and_store(org, owner, member):
    keeper = member("warehouse")
    main = warehouse_create(
        organization=org,
        actor=keeper,
        data={"code": "WH01", "name": "上海总仓", "manager": keeper, "address": "上海市浦东新区"},
    )
    store = warehouse_create(
        organization=org, actor=owner, data={"code": "ST01", "name": "南京路门店", "is_store": True}
    )
    assert (main.is_store, store.is_store) == (False, True)
    assert "shzc" in main.search_text
    assert AuditEvent.objects.filter(object_type="inventory.warehouse", action="create").count() == 2


def test_warehouse_refusals(org, owner, member, make_user):
    warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "总仓"})
    with pytest.raises(InvalidInput) as exc:
        warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "重复"})
    assert exc.value.errors[0].field == "code"
    with pytest.raises(InvalidInput) as exc:
        warehouse_create(organization=org, actor=owner, data={"code": "WH02", "name": "仓", "manager": make_user()})
    assert exc.value.errors[0].field == "manager"
    with pytest.raises(PermissionRefused):
        warehouse_create(organization=org, actor=member("sales"), data={"code": "WH03", "name": "仓"})
    assert Warehouse.objects.filter(organization=org).count() == 1


def test_update_delete_and_isolation(org, other_org, owner):
    wh = warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "总仓"})
    warehouse_update(organization=org, actor=owner, pk=wh.pk, data={"name": "北京总仓"})
    wh.refresh_from_db()
    assert wh.name == "北京总仓"
    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "WH01", "name": "别家仓"})
    with pytest.raises(NotFound):
        warehouse_update(organization=org, actor=owner, pk=theirs.pk, data={"name": "x"})
    with pytest.raises(NotFound):
        warehouse_delete(organization=org, actor=owner, pk=theirs.pk)
    warehouse_delete(organization=org, actor=owner, pk=wh.pk)
    assert list(Warehouse.objects.values_list("name", flat=True)) == ["别家仓"]
