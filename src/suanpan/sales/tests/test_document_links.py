"""The next step of the flow is one click away, for whoever may take it: order → deliver, delivery → invoice,
return → credit note; a rep sees no deliver button, the warehouse no invoice button."""

from decimal import Decimal

import pytest

from suanpan.sales import deliveries, orders, returns

from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_each_document_links_to_its_next_step(org, owner, customer, warehouse, make_product, stock, client_as):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    order = orders.order_create(
        organization=org,
        actor=owner,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [{"product_id": pen.pk, "quantity": "4"}],
        },
    )
    keeper, rep, accountant = client_as("warehouse"), client_as("sales"), client_as("finance")
    assert 'id="deliver"' not in keeper.get(f"/sales/orders/{order.pk}/").content.decode()  # a draft: not yet
    orders.order_confirm(organization=org, actor=owner, order_id=order.pk)
    page = keeper.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f'href="/sales/deliveries/new/?order={order.pk}"' in page
    assert 'id="deliver"' not in rep.get(f"/sales/orders/{order.pk}/").content.decode()

    line = order.lines.get()
    delivery = deliveries.delivery_post(
        organization=org,
        actor=owner,
        data={"date": DAY, "warehouse_id": warehouse.pk, "lines": [{"order_line_id": line.pk, "quantity": "4"}]},
    )
    assert (
        f'href="/sales/invoices/new/?delivery={delivery.pk}"'
        in accountant.get(f"/sales/deliveries/{delivery.pk}/").content.decode()
    )
    assert 'id="invoice"' not in keeper.get(f"/sales/deliveries/{delivery.pk}/").content.decode()

    back = returns.sales_return_post(
        organization=org,
        actor=owner,
        data={
            "delivery_id": delivery.pk,
            "date": DAY,
            "lines": [{"delivery_line_id": delivery.lines.get().pk, "quantity": str(Decimal("1"))}],
        },
    )
    assert (
        f'href="/sales/credit-notes/new/?return={back.pk}"'
        in accountant.get(f"/sales/returns/{back.pk}/").content.decode()
    )
