"""Set-up for the analytics tests: invoices and credit notes through the real sales services (a service product
invoiced from its order line; goods delivered, invoiced, returned and credited), CRM rows made directly with the
ORM (the CRM services are written by other areas at the same time; the funnel reads rows, whichever way they
were made)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.accounting.opening import books_get, books_update
from suanpan.catalog.models import Product, Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.models import Organization
from suanpan.crm.models import Channel, FollowUp, Lead, Opportunity, Stage, StageChange
from suanpan.crm.setup import channels_ensure, stages_ensure
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_create
from suanpan.sales import deliveries, invoicing, orders, returns
from suanpan.sales.models import Invoice

BOOKS_START = datetime.date(2024, 1, 1)  # sales are back-dated up to two years
STOCK_DAY = datetime.date(2024, 1, 2)


def customer(org: Organization, name: str, owner: Any = None) -> Partner:
    return partner_create(
        organization=org,
        actor=None,
        role=PartnerRole.CUSTOMER,
        data={"name": name, "owner": owner, "payment_terms_days": 30},
    )


def _warehouse(org: Organization) -> Warehouse:
    found = Warehouse.objects.filter(organization=org, code="W-AN").first()
    return found or warehouse_create(organization=org, actor=None, data={"code": "W-AN", "name": "分析仓"})


def _product(org: Organization, *, stocked: bool) -> Product:
    code = "P-GOODS" if stocked else "P-SERVICE"
    found = Product.objects.filter(organization=org, code=code).first()
    if found is not None:
        return found
    if books_get(organization=org).start.start > BOOKS_START:
        books_update(organization=org, actor=None, data={"start": f"{BOOKS_START:%Y-%m}"})
    product = product_create(
        organization=org,
        actor=None,
        data={
            "code": code,
            "name": "货物" if stocked else "服务",
            "unit": Unit.objects.filter(organization=org).first(),
            "vat_rate": VatRate.objects.get(organization=org, rate="0.13"),
            "sale_price": "100.00",
            "is_stocked": stocked,
        },
    )
    if stocked:
        spec = MoveSpec(product.pk, _warehouse(org).pk, Decimal(1000), MoveKind.OPENING, unit_cost=Decimal("50.00"))
        stock_post(organization=org, actor=None, date=STOCK_DAY, moves=[spec])
    return product


def _order(org: Organization, partner: Partner, product: Product, quantity: str, price: str, day: datetime.date) -> Any:
    draft = orders.order_create(
        organization=org,
        actor=None,
        data={
            "customer_id": partner.pk,
            "warehouse_id": _warehouse(org).pk,
            "date": day,
            "lines": [{"product_id": product.pk, "quantity": quantity, "unit_price": price}],
        },
    )
    return orders.order_confirm(organization=org, actor=None, order_id=draft.pk)


def sell(org: Organization, partner: Partner, amount: str, day: datetime.date) -> Invoice:
    """An invoice of `amount` excl. VAT on `day`: one service, ordered and invoiced that day."""
    order = _order(org, partner, _product(org, stocked=False), "1", amount, day)
    line = order.lines.get()
    return invoicing.invoice_post(
        organization=org,
        actor=None,
        data={"date": day, "lines": [{"order_line_id": line.pk, "quantity": "1"}]},
    )


def sell_and_credit(
    org: Organization,
    partner: Partner,
    *,
    quantity: str,
    price: str,
    day: datetime.date,
    returned: str,
    credit_day: datetime.date,
) -> tuple[Invoice, Invoice]:
    """Goods ordered, delivered and invoiced on `day`; `returned` of them come back and are credited on
    `credit_day`: (the invoice, the credit note)."""
    order = _order(org, partner, _product(org, stocked=True), quantity, price, day)
    delivery = deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": day,
            "warehouse_id": _warehouse(org).pk,
            "lines": [{"order_line_id": order.lines.get().pk, "quantity": quantity}],
        },
    )
    line = delivery.lines.get()
    invoice = invoicing.invoice_post(
        organization=org,
        actor=None,
        data={"date": day, "lines": [{"delivery_line_id": line.pk, "quantity": quantity}]},
    )
    sales_return = returns.sales_return_post(
        organization=org,
        actor=None,
        data={
            "delivery_id": delivery.pk,
            "date": credit_day,
            "lines": [{"delivery_line_id": line.pk, "quantity": returned}],
        },
    )
    credit = invoicing.credit_note_for_return(organization=org, actor=None, return_id=sales_return.pk, date=credit_day)
    return invoice, credit


# CRM rows -----------------------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment of `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def stages(org: Organization) -> dict[str, Stage]:
    stages_ensure(org)
    return {s.name: s for s in Stage.objects.filter(organization=org)}


def channel(org: Organization, name: str) -> Channel:
    channels_ensure(org)
    return Channel.objects.get(organization=org, name=name)


def opportunity(
    org: Organization,
    number: str,
    *,
    partner: Partner,
    owner: Any,
    amount: str,
    path: list[tuple[Stage, datetime.datetime]],
    lead: Lead | None = None,
    loss_reason: str = "",
) -> Opportunity:
    """An opportunity created at the first moment of `path` and moved through its (stage, when) pairs."""
    last_stage, last_at = path[-1]
    opp = Opportunity.objects.create(
        organization=org,
        number=number,
        name=f"商机{number}",
        customer=partner,
        owner=owner,
        stage=last_stage,
        amount=Decimal(amount),
        lead=lead,
        loss_reason=loss_reason,
        stage_entered_at=last_at,
        closed_on=last_at.date() if last_stage.kind != "open" else None,
    )
    Opportunity.objects.filter(pk=opp.pk).update(created_at=path[0][1])
    previous = None
    for stage, when in path:
        StageChange.objects.create(
            organization=org, opportunity=opp, from_stage=previous, to_stage=stage, entered_at=when, actor=owner
        )
        previous = stage
    opp.refresh_from_db()
    return opp


def lead(
    org: Organization,
    number: str,
    *,
    owner: Any,
    chan: Channel | None,
    created: datetime.datetime,
    converted: datetime.datetime | None = None,
    partner: Partner | None = None,
) -> Lead:
    row = Lead.objects.create(
        organization=org,
        number=number,
        company=f"线索公司{number}",
        owner=owner,
        channel=chan,
        status="converted" if converted else "new",
        converted_at=converted,
        customer=partner,
    )
    Lead.objects.filter(pk=row.pk).update(created_at=created)
    row.refresh_from_db()
    return row


def follow_up(org: Organization, user: Any, partner: Partner, when: datetime.datetime) -> FollowUp:
    return FollowUp.objects.create(organization=org, user=user, customer=partner, content="电话回访", happened_at=when)


# The hand-made world of the funnel, lead conversion and leaderboard tests -------------------------------------

JUNE = (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
NOW = at(datetime.date(2026, 7, 10))


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def funnel_world(org: Organization, rep1: Any, rep2: Any) -> dict[str, Any]:
    """Opportunities, leads, customers and follow-ups with the numbers worked out in test_funnel.py (June 2026;
    every moment at 10:00 local time)."""
    s = stages(org)
    s1, s2, s3, s4, won, lost = (s[n] for n in ("初步接洽", "需求确认", "方案报价", "谈判", "赢单", "输单"))
    fair, web = channel(org, "展会"), channel(org, "官网")
    made = {name: customer(org, f"客户{name}", owner) for name, owner in (("X", rep1), ("Y", rep1), ("V", rep1))}
    made |= {name: customer(org, f"客户{name}", rep2) for name in ("Z", "W")}
    for name, text in (("X", "2026-06-01"), ("Y", "2026-01-10"), ("V", "2026-05-20"), ("Z", "2026-06-20")):
        Partner.objects.filter(pk=made[name].pk).update(created_at=at(d(text)))
    Partner.objects.filter(pk=made["W"].pk).update(created_at=at(d("2026-06-25")))
    leads = {
        "L1": lead(
            org,
            "L1",
            owner=rep1,
            chan=fair,
            created=at(d("2026-06-01")),
            converted=at(d("2026-06-01")),
            partner=made["X"],
        ),
        "L2": lead(
            org,
            "L2",
            owner=rep1,
            chan=fair,
            created=at(d("2026-06-02")),
            converted=at(d("2026-06-02")),
            partner=made["Y"],
        ),
        "L3": lead(org, "L3", owner=rep2, chan=web, created=at(d("2026-06-09"))),
        "L4": lead(
            org,
            "L4",
            owner=rep1,
            chan=web,
            created=at(d("2026-06-10")),
            converted=at(d("2026-06-10")),
            partner=made["X"],
        ),
        "L5": lead(org, "L5", owner=rep2, chan=fair, created=at(d("2026-06-15"))),
        "L6": lead(org, "L6", owner=rep2, chan=None, created=at(d("2026-06-16"))),
        "L7": lead(
            org,
            "L7",
            owner=rep1,
            chan=fair,
            created=at(d("2026-05-20")),
            converted=at(d("2026-05-20")),
            partner=made["V"],
        ),
        "L8": lead(
            org,
            "L8",
            owner=rep2,
            chan=web,
            created=at(d("2026-06-20")),
            converted=at(d("2026-06-20")),
            partner=made["Z"],
        ),
    }
    x, y, z = made["X"], made["Y"], made["Z"]
    opps = {
        "O1": opportunity(
            org,
            "O1",
            partner=x,
            owner=rep1,
            amount="1000",
            lead=leads["L1"],
            path=[
                (s1, at(d("2026-06-01"))),
                (s2, at(d("2026-06-03"))),
                (s3, at(d("2026-06-08"))),
                (s4, at(d("2026-06-10"))),
                (won, at(d("2026-06-20"))),
            ],
        ),
        "O2": opportunity(
            org,
            "O2",
            partner=y,
            owner=rep1,
            amount="2000",
            lead=leads["L2"],
            loss_reason="价格太高",
            path=[(s1, at(d("2026-06-02"))), (s2, at(d("2026-06-06"))), (lost, at(d("2026-06-09")))],
        ),
        "O3": opportunity(
            org, "O3", partner=z, owner=rep2, amount="3000", path=[(s1, at(d("2026-06-05"))), (s3, at(d("2026-06-07")))]
        ),
        "O4": opportunity(
            org, "O4", partner=z, owner=rep2, amount="4000", lead=leads["L3"], path=[(s1, at(d("2026-06-10")))]
        ),
        "O5": opportunity(
            org,
            "O5",
            partner=x,
            owner=rep1,
            amount="500",
            lead=leads["L4"],
            loss_reason=" 价格太高 ",
            path=[
                (s1, at(d("2026-06-11"))),
                (s2, at(d("2026-06-12"))),
                (s1, at(d("2026-06-14"))),
                (s2, at(d("2026-06-15"))),
                (lost, at(d("2026-06-25"))),
            ],
        ),
        "O6": opportunity(
            org,
            "O6",
            partner=z,
            owner=rep2,
            amount="600",
            path=[(s1, at(d("2026-06-20"))), (lost, at(d("2026-06-21")))],
        ),
        "O7": opportunity(org, "O7", partner=x, owner=rep1, amount="9999", path=[(s1, at(d("2026-05-31")))]),
        "O8": opportunity(
            org, "O8", partner=z, owner=rep2, amount="700", path=[(s1, at(d("2026-07-01"))), (won, at(d("2026-07-02")))]
        ),
        "O9": opportunity(
            org,
            "O9",
            partner=z,
            owner=rep2,
            amount="5000",
            path=[(s1, at(d("2026-05-15"))), (won, at(d("2026-06-28")))],
        ),
    }
    Lead.objects.filter(pk=leads["L8"].pk).update(opportunity=opps["O8"])
    for text in ("2026-06-01", "2026-06-15", "2026-06-30", "2026-07-01"):
        follow_up(org, rep1, x, at(d(text)))
    follow_up(org, rep2, z, at(d("2026-06-05")))
    return {"stages": s, "channels": {"fair": fair, "web": web}, "customers": made, "leads": leads, "opps": opps}
