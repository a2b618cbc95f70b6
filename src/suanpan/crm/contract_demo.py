"""The demo's contracts, segments and rule tag: about eight contracts on the customers that have sales orders (their
orders linked, the plan adding up to the amount), two of them ending within 30 days, most in force, one draft, one
completed and one terminated; the segments "华东高价值客户" and "90天未采购"; the rule tag "高价值" (RFM class high
value), applied once. Made through the services as the system (actor None)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import User

from suanpan.core.models import Organization
from suanpan.core.money import money
from suanpan.crm import contracts, segments
from suanpan.crm.models import Contract, Segment, TagRule
from suanpan.partners.models import Partner
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesOrder

CONTRACTS = 8
# (title, state, start days before today, end days after today)
PLANS = (
    ("年度办公用品供货合同", "active", 150, 215),
    ("季度耗材框架协议", "active", 80, 10),
    ("文具集中采购合同", "active", 40, 25),
    ("新品试用采购合同", "draft", 0, 365),
    ("打印耗材年度合同", "active", 200, 165),
    ("开学季文具供货合同", "completed", 120, 60),
    ("办公家具配套协议", "active", 20, 345),
    ("样品采购合同", "terminated", 60, 120),
)
SEGMENTS = (
    ("华东高价值客户", {"province": "上海", "min_lifetime_value": "1000"}),
    ("90天未采购", {"no_purchase_for_days": 90}),
)


def _customers(org: Organization) -> list[Partner]:
    """Customers with sales orders first, then other owned customers, as many as there are plans (by code)."""
    with_orders = list(
        Partner.objects.filter(organization=org, is_customer=True, is_active=True)
        .filter(
            pk__in=SalesOrder.objects.filter(organization=org).exclude(status=OrderStatus.CANCELLED).values("customer")
        )
        .order_by("code")
    )
    others = list(
        Partner.objects.filter(organization=org, is_customer=True, is_active=True, owner__isnull=False)
        .exclude(pk__in=[c.pk for c in with_orders])
        .order_by("code")
    )
    return (with_orders + others)[:CONTRACTS]


def _plan(amount: Decimal, first: datetime.date, last: datetime.date) -> list[dict[str, object]]:
    deposit = money(amount * Decimal("0.3"))
    return [
        {"name": "预付款（30%）", "due_on": first, "amount": deposit},
        {"name": "到货验收款", "due_on": max(first, last), "amount": amount - deposit},
    ]


def load_contracts(org: Organization, users: dict[str, User], today: datetime.date) -> None:
    if Contract.objects.filter(organization=org).exists():
        return
    for customer, (title, state, before, after) in zip(_customers(org), PLANS, strict=False):
        orders = list(
            SalesOrder.objects.filter(organization=org, customer=customer, contracts__isnull=True)
            .exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.DRAFT))
            .order_by("date", "pk")
        )
        amount = sum((o.total for o in orders), Decimal(0)) or Decimal("30000.00")
        start, end = today - datetime.timedelta(days=before), today + datetime.timedelta(days=after)
        if orders:  # paid by the linked orders' invoices: the plan followed the orders
            first, last = start + datetime.timedelta(days=7), start + datetime.timedelta(days=45)
        else:  # nothing ordered yet: the plan lies ahead
            first, last = today + datetime.timedelta(days=15), end - datetime.timedelta(days=5)
        contract = contracts.contract_create(
            organization=org,
            actor=None,
            data={
                "title": f"{customer.short_name or customer.name}{title}",
                "customer_id": customer.pk,
                "amount": amount,
                "start_on": start,
                "end_on": end,
                "signed_on": start if state != "draft" else None,
                "milestones": _plan(amount, first, last),
                "notes": "演示合同",
            },
        )
        for order in orders:
            contracts.contract_order_link(organization=org, actor=None, contract_id=contract.pk, order_id=order.pk)
        if state in ("active", "completed"):
            contracts.contract_activate(organization=org, actor=None, contract_id=contract.pk)
        if state == "completed":
            contracts.contract_complete(organization=org, actor=None, contract_id=contract.pk)
        if state == "terminated":
            contracts.contract_terminate(organization=org, actor=None, contract_id=contract.pk, reason="客户预算取消")
    for name, filters in SEGMENTS:
        if not Segment.objects.filter(organization=org, name=name).exists():
            segments.segment_create(organization=org, actor=None, data={"name": name, "filters": filters})
    if not TagRule.objects.filter(organization=org).exists():
        segments.tag_rule_create(
            organization=org, actor=None, data={"tag_name": "高价值", "filters": {"rfm_class": "high_value"}}
        )
    segments.tag_rules_apply(organization=org, today=today)
