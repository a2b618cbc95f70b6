"""Opportunity services: entry, edits, moves through the stages (with their history and refusals), data scope,
and the stage settings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from tests.crm_cases_opportunities import make_opportunity, opp_customer, stage
from tests.resources import make_product

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.crm import opportunities as opps
from suanpan.crm.choices import StageKind
from suanpan.crm.models import Opportunity, Stage, StageChange
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerRole

T0 = datetime.datetime(2026, 8, 3, 9, 0, tzinfo=datetime.UTC)


def fields(exc: pytest.ExceptionInfo[DomainError]) -> list[str | None]:
    return [e.field for e in exc.value.errors]


@pytest.fixture
def rep(member: Any) -> Any:
    return member("sales")


@pytest.fixture
def customer(org: Any, rep: Any) -> Any:
    return opp_customer(org, rep, "北京星河科技有限公司")


def create(org: Any, actor: Any, **data: Any) -> Opportunity:
    return opps.opportunity_create(organization=org, actor=actor, data=data)


def test_create_numbers_records_the_first_stage_and_takes_its_probability(org, rep, customer):
    product = make_product(org)
    contact = partners.contact_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"name": "王经理"}
    )
    opp = create(
        org,
        rep,
        name="年度采购",
        customer_id=customer.pk,
        contact_id=contact.pk,
        amount="120000.50",
        expected_close_on=datetime.date(2026, 12, 31),
        product_ids=[product.pk],
        competitors="得力",
    )
    today = timezone.localdate()
    assert opp.number == f"SJ-{today:%Y%m}-0001"
    assert create(org, rep, name="第二个", customer_id=customer.pk).number == f"SJ-{today:%Y%m}-0002"
    assert opp.stage.name == "初步接洽"
    assert opp.probability == Decimal("10")
    assert opp.owner == rep
    assert opp.contact == contact
    assert opp.amount == Decimal("120000.50")
    assert list(opp.products.all()) == [product]
    assert opp.closed_on is None
    change = StageChange.objects.get(opportunity=opp)
    assert (change.from_stage, change.to_stage, change.actor) == (None, opp.stage, rep)
    assert change.entered_at == opp.stage_entered_at


def test_the_system_gives_the_opportunity_to_the_customers_owner(org, rep, customer):
    opp = create(org, None, name="线索转化", customer_id=customer.pk, stage_id=stage(org, "需求确认").pk)
    assert opp.owner == rep
    assert opp.probability == Decimal("30")
    assert opp.created_by is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"expected_close_on": "2026-13-01"}, "expected_close_on"),
        ({"probability": "101"}, "probability"),
        ({"product_ids": "1"}, "product_ids"),
        ({"product_ids": [999999]}, "product_ids"),
        ({"customer_id": 999999}, "customer_id"),
        ({"stage_id": 999999}, "stage_id"),
        ({"owner_id": 999999}, "owner_id"),
        ({"lead_id": 999999}, "lead_id"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(org, rep, customer, data, field):
    with pytest.raises(InvalidInput) as exc:
        create(org, rep, **{"name": "商机", "customer_id": customer.pk, **data})
    assert fields(exc) == [field]
    assert not Opportunity.objects.filter(organization=org).exists()


def test_the_customer_must_be_one_the_rep_sees_and_the_contact_its_own(org, rep, member, customer):
    other_rep = member("sales")
    theirs = opp_customer(org, other_rep, "别人的客户")
    pooled = opp_customer(org, None, "公海客户")
    pooled.owner = None
    pooled.save()
    for hidden in (theirs, pooled):
        with pytest.raises(InvalidInput) as exc:
            create(org, rep, name="越权", customer_id=hidden.pk)
        assert fields(exc) == ["customer_id"]
    contact = partners.contact_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, partner_id=theirs.pk, data={"name": "别人的联系人"}
    )
    with pytest.raises(InvalidInput) as exc:
        create(org, rep, name="错联系人", customer_id=customer.pk, contact_id=contact.pk)
    assert fields(exc) == ["contact_id"]
    with pytest.raises(InvalidInput) as exc:
        create(org, rep, name="送人", customer_id=customer.pk, owner_id=other_rep.pk)
    assert fields(exc) == ["owner_id"]
    assert not Opportunity.objects.filter(organization=org).exists()


def test_another_organizations_customer_stage_and_product_are_refused(org, other_org, rep, customer):
    theirs = opp_customer(other_org, None, "别家客户")
    their_product = make_product(other_org)
    for data, field in (
        ({"customer_id": theirs.pk}, "customer_id"),
        ({"stage_id": stage(other_org, "谈判").pk}, "stage_id"),
        ({"product_ids": [their_product.pk]}, "product_ids"),
    ):
        with pytest.raises(InvalidInput) as exc:
            create(org, rep, **{"name": "商机", "customer_id": customer.pk, **data})
        assert fields(exc) == [field]


def test_roles_without_change_crm_cannot_create(org, member, customer):
    for role in ("finance", "service", "warehouse"):
        with pytest.raises(PermissionRefused):
            create(org, member(role), name="商机", customer_id=customer.pk)


def test_moves_write_history_close_and_reopen(org, rep, customer):
    opp = opps.opportunity_create(
        organization=org, actor=rep, data={"name": "大单", "customer_id": customer.pk}, now=T0
    )
    t1, t2, t3 = (T0 + datetime.timedelta(days=d) for d in (5, 12, 20))
    moved = opps.opportunity_move(
        organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "谈判").pk, now=t1
    )
    assert (moved.stage.name, moved.probability, moved.stage_entered_at) == ("谈判", Decimal("70"), t1)
    lost = opps.opportunity_move(
        organization=org,
        actor=rep,
        opportunity_id=opp.pk,
        stage_id=stage(org, "输单").pk,
        loss_reason="价格太高",
        now=t2,
    )
    assert lost.closed_on == timezone.localdate(t2)
    assert lost.loss_reason == "价格太高"
    assert lost.probability == Decimal("0")
    reopened = opps.opportunity_move(
        organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "方案报价").pk, now=t3
    )
    assert reopened.closed_on is None
    assert reopened.loss_reason == ""
    history = [
        (c.from_stage.name if c.from_stage else None, c.to_stage.name, c.entered_at)
        for c in StageChange.objects.filter(opportunity=opp)
    ]
    assert history == [
        (None, "初步接洽", T0),
        ("初步接洽", "谈判", t1),
        ("谈判", "输单", t2),
        ("输单", "方案报价", t3),
    ]
    won = opps.opportunity_move(
        organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "赢单").pk, now=t3
    )
    assert won.closed_on == timezone.localdate(t3)
    assert won.probability == Decimal("100")


def test_moving_to_the_same_stage_changes_nothing(org, rep, customer):
    opp = create(org, rep, name="原地", customer_id=customer.pk)
    opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=opp.stage_id)
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_move_refusals_change_nothing(org, rep, other_org, customer):
    opp = create(org, rep, name="商机", customer_id=customer.pk)
    lost = stage(org, "输单")
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as exc:
            opps.opportunity_move(
                organization=org, actor=rep, opportunity_id=opp.pk, stage_id=lost.pk, loss_reason=reason
            )
        assert fields(exc) == ["loss_reason"]
    with pytest.raises(InvalidInput) as exc:
        opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(other_org, "谈判").pk)
    assert fields(exc) == ["stage_id"]
    inactive = opps.stage_create(organization=org, actor=None, data={"name": "暂停", "is_active": False})
    with pytest.raises(InvalidInput) as exc:
        opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=inactive.pk)
    assert fields(exc) == ["stage_id"]
    with pytest.raises(NotFound):
        opps.opportunity_move(
            organization=other_org, actor=None, opportunity_id=opp.pk, stage_id=stage(other_org, "谈判").pk
        )
    opp.refresh_from_db()
    assert opp.stage.name == "初步接洽"
    assert opp.loss_reason == ""
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_a_rep_cannot_see_edit_or_move_another_reps_opportunity(org, rep, member):
    other_rep = member("sales")
    theirs = make_opportunity(org, other_rep)
    mine = make_opportunity(org, rep, customer_id=opp_customer(org, rep, "我的客户").pk)
    manager = member("sales", "finance")  # more than sales: sees all
    assert list(opps.opportunity_list(organization=org, actor=rep)) == [mine]
    assert set(opps.opportunity_list(organization=org, actor=manager)) == {mine, theirs}
    with pytest.raises(NotFound):
        opps.opportunity_get(organization=org, actor=rep, pk=theirs.pk)
    with pytest.raises(NotFound):
        opps.opportunity_update(organization=org, actor=rep, opportunity_id=theirs.pk, data={"name": "抢"})
    with pytest.raises(NotFound):
        opps.opportunity_move(organization=org, actor=rep, opportunity_id=theirs.pk, stage_id=stage(org, "谈判").pk)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.stage.name) == ("年度办公用品采购", "初步接洽")


def test_update_changes_only_the_keys_given_and_probability_overrides_the_stage(org, rep, customer):
    opp = create(org, rep, name="旧名", customer_id=customer.pk, amount="100")
    updated = opps.opportunity_update(
        organization=org, actor=rep, opportunity_id=opp.pk, data={"name": "新名", "probability": "25"}
    )
    assert (updated.name, updated.amount, updated.probability) == ("新名", Decimal("100.00"), Decimal("25"))
    with pytest.raises(InvalidInput) as exc:
        opps.opportunity_update(organization=org, actor=rep, opportunity_id=opp.pk, data={"name": "", "amount": "x"})
    assert fields(exc) == ["name", "amount"]
    opp.refresh_from_db()
    assert opp.name == "新名"


# Stages ----------------------------------------------------------------------------------------------------------


def test_stages_are_made_on_first_use_in_order(org):
    names = [(s.name, s.kind) for s in opps.stage_list(organization=org)]
    assert names == [
        ("初步接洽", "open"),
        ("需求确认", "open"),
        ("方案报价", "open"),
        ("谈判", "open"),
        ("赢单", "won"),
        ("输单", "lost"),
    ]


def test_a_new_open_stage_goes_before_the_closing_ones_and_reorder_follows_the_list(org, member):
    manager = member("admin")
    created = opps.stage_create(
        organization=org, actor=manager, data={"name": "样品测试", "kind": "open", "probability": "60"}
    )
    names = [s.name for s in opps.stage_list(organization=org)]
    assert names == ["初步接洽", "需求确认", "方案报价", "谈判", "样品测试", "赢单", "输单"]
    assert created.probability == Decimal("60")
    ids = [s.pk for s in opps.stage_list(organization=org)]
    opps.stage_reorder(organization=org, actor=manager, stage_ids=list(reversed(ids)))
    assert [s.pk for s in opps.stage_list(organization=org)] == list(reversed(ids))
    with pytest.raises(InvalidInput) as exc:
        opps.stage_reorder(organization=org, actor=manager, stage_ids=ids[:-1])
    assert fields(exc) == ["stage_ids"]


def test_stage_input_is_checked(org, member):
    manager = member("admin")
    assert opps.stage_list(organization=org).count() == 6
    for data, field in (
        ({"name": ""}, "name"),
        ({"name": "初步接洽"}, "name"),
        ({"name": "新", "kind": "maybe"}, "kind"),
        ({"name": "新", "probability": "120"}, "probability"),
        ({"name": "新", "is_active": "yes"}, "is_active"),
    ):
        with pytest.raises(InvalidInput) as exc:
            opps.stage_create(organization=org, actor=manager, data=data)
        assert fields(exc) == [field]
    assert Stage.objects.filter(organization=org).count() == 6


def test_one_won_and_one_lost_stage_stay_active(org, member):
    manager = member("admin")
    won, lost = stage(org, "赢单"), stage(org, "输单")
    for closing in (won, lost):
        with pytest.raises(DomainError) as exc:
            opps.stage_deactivate(organization=org, actor=manager, stage_id=closing.pk)
        assert exc.value.code == "last_closing_stage"
        with pytest.raises(DomainError):
            opps.stage_update(organization=org, actor=manager, stage_id=closing.pk, data={"kind": "open"})
    second = opps.stage_create(organization=org, actor=manager, data={"name": "赢单（框架）", "kind": "won"})
    assert second.probability == Decimal("100")
    opps.stage_deactivate(organization=org, actor=manager, stage_id=won.pk)
    won.refresh_from_db()
    assert not won.is_active
    assert Stage.objects.get(pk=lost.pk).is_active


def test_a_used_stage_is_deactivated_not_deleted(org, member, rep, customer):
    manager = member("admin")
    extra = opps.stage_create(organization=org, actor=manager, data={"name": "试用"})
    opp = create(org, rep, name="商机", customer_id=customer.pk, stage_id=extra.pk)
    with pytest.raises(DomainError) as exc:
        opps.stage_delete(organization=org, actor=manager, stage_id=extra.pk)
    assert exc.value.code == "in_use"
    with pytest.raises(DomainError):  # an open stage with opportunities in it stays active
        opps.stage_deactivate(organization=org, actor=manager, stage_id=extra.pk)
    opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "谈判").pk)
    with pytest.raises(DomainError):  # it was used: history refers to it
        opps.stage_delete(organization=org, actor=manager, stage_id=extra.pk)
    assert opps.stage_deactivate(organization=org, actor=manager, stage_id=extra.pk).is_active is False
    unused = opps.stage_create(organization=org, actor=manager, data={"name": "没用过"})
    opps.stage_delete(organization=org, actor=manager, stage_id=unused.pk)
    assert not Stage.objects.filter(pk=unused.pk).exists()


def test_only_crm_managers_keep_the_stages(org, member, other_org):
    for role in ("sales", "marketing", "finance"):
        with pytest.raises(PermissionRefused):
            opps.stage_create(organization=org, actor=member(role), data={"name": "越权"})
    with pytest.raises(NotFound):
        opps.stage_update(organization=org, actor=None, stage_id=stage(other_org, "谈判").pk, data={"name": "x"})
    assert StageKind.WON in {s.kind for s in opps.stage_list(organization=org, active_only=True)}
