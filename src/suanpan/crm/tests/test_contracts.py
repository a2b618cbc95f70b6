"""Contract services: entry and its refusals, the payment plan, every transition, attachments, linked orders, the
receivable progress on a hand-built case (invoice + partial receipt through the real sales and finance services),
the expiry reminders with a fixed today, another organization's and another rep's contracts."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests import crm_cases_customers as cc
from tests.resources import account

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent, Notification
from suanpan.crm import contracts
from suanpan.crm.choices import ContractStatus
from suanpan.crm.models import Contract, ContractAttachment, CrmSettings
from suanpan.crm.opportunities import opportunity_create
from suanpan.crm.quotes import quote_create
from suanpan.crm.setup import crm_settings
from suanpan.finance import receipts
from suanpan.sales import deliveries, invoicing, orders
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.fixture
def other_rep(member):
    return member("sales")


def fields(exc):
    return [e.field for e in exc.value.errors]


# Entry ----------------------------------------------------------------------------------------------------------------


def test_a_contract_is_numbered_with_its_plan_and_owner(org, rep):
    buyer = cc.customer(org, "自有客户", owner=rep)
    contract = contracts.contract_create(organization=org, actor=rep, data=cc.contract_payload(org, buyer))
    today = timezone.localdate()
    assert contract.number == f"HT-{today:%Y%m}-0001"
    assert contract.status == ContractStatus.DRAFT
    assert contract.owner == rep
    assert contract.amount == Decimal("1130.00")
    assert [(m.seq, m.name, m.amount) for m in contract.milestones.all()] == [
        (1, "预付款", Decimal("339.00")),
        (2, "尾款", Decimal("791.00")),
    ]
    second = cc.make_contract(org, buyer)
    assert second.number == f"HT-{today:%Y%m}-0002"
    assert second.owner == rep  # the system gives it to the customer's owner
    event = AuditEvent.objects.get(object_type="crm.contract", object_id=str(contract.pk), action="create")
    assert event.changes["milestones"][0].endswith("预付款 339.00")


def test_entry_names_every_bad_field_and_writes_nothing(org):
    data = cc.contract_payload(
        org,
        title=" ",
        amount="-5",
        end_on=datetime.date(2020, 1, 1),
        milestones=[
            {"name": "", "due_on": "2026-13-01", "amount": "0"},
            {"name": "x", "due_on": NOV, "amount": "1.234"},
        ],
    )
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_create(organization=org, actor=None, data=data)
    assert set(fields(exc)) == {
        "title",
        "amount",
        "end_on",
        "milestones.0.name",
        "milestones.0.due_on",
        "milestones.0.amount",
        "milestones.1.amount",
    }
    assert not Contract.objects.filter(organization=org).exists()


def test_the_customer_must_be_one_the_rep_sees(org, rep, other_rep):
    theirs = cc.customer(org, "别人的客户", owner=other_rep)
    pool = cc.customer(org, "公海客户")
    for buyer in (theirs, pool):
        with pytest.raises(InvalidInput) as exc:
            contracts.contract_create(organization=org, actor=rep, data=cc.contract_payload(org, buyer))
        assert fields(exc) == ["customer_id"]
    mine = cc.customer(org, "自有客户", owner=rep)
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_create(
            organization=org, actor=rep, data=cc.contract_payload(org, mine, owner_id=other_rep.pk)
        )
    assert fields(exc) == ["owner_id"]
    assert not Contract.objects.filter(organization=org).exists()


def test_the_opportunity_and_quote_are_of_the_same_customer(org):
    buyer, other = cc.customer(org, "甲"), cc.customer(org, "乙")
    chance = opportunity_create(organization=org, actor=None, data={"name": "大单", "customer_id": other.pk})
    quote = quote_create(
        organization=org,
        actor=None,
        data={"customer_id": other.pk, "lines": [{"product_id": cc.product(org).pk, "quantity": "1"}]},
    )
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_create(
            organization=org,
            actor=None,
            data=cc.contract_payload(org, buyer, opportunity_id=chance.pk, quote_id=quote.pk),
        )
    assert fields(exc) == ["opportunity_id", "quote_id"]
    contract = contracts.contract_create(
        organization=org, actor=None, data=cc.contract_payload(org, other, opportunity_id=chance.pk, quote_id=quote.pk)
    )
    assert (contract.opportunity, contract.quote) == (chance, quote)


def test_only_a_draft_is_changed(org):
    contract = cc.make_contract(org)
    changed = contracts.contract_update(
        organization=org,
        actor=None,
        contract_id=contract.pk,
        data=cc.contract_payload(
            org, title="改过的合同", milestones=[{"name": "全款", "due_on": NOV, "amount": "1130"}]
        ),
    )
    assert changed.title == "改过的合同"
    assert [m.name for m in changed.milestones.all()] == ["全款"]
    contracts.contract_activate(organization=org, actor=None, contract_id=contract.pk)
    with pytest.raises(DomainError) as exc:
        contracts.contract_update(organization=org, actor=None, contract_id=contract.pk, data=cc.contract_payload(org))
    assert exc.value.field == "status"
    assert Contract.objects.get(pk=contract.pk).title == "改过的合同"


def test_members_without_the_permission_are_refused(org, member):
    finance = member("finance")
    with pytest.raises(PermissionRefused):
        contracts.contract_create(organization=org, actor=finance, data=cc.contract_payload(org))
    contract = cc.make_contract(org)
    with pytest.raises(PermissionRefused):
        contracts.contract_activate(organization=org, actor=finance, contract_id=contract.pk)


# States ---------------------------------------------------------------------------------------------------------------


def test_activating_needs_a_plan_adding_up_to_the_amount(org):
    bare = cc.make_contract(org, milestones=[])
    with pytest.raises(DomainError) as exc:
        contracts.contract_activate(organization=org, actor=None, contract_id=bare.pk)
    assert exc.value.field == "milestones"
    short = cc.make_contract(org, milestones=[{"name": "预付", "due_on": NOV, "amount": "1129.99"}])
    with pytest.raises(DomainError) as exc:
        contracts.contract_activate(organization=org, actor=None, contract_id=short.pk)
    assert exc.value.field == "milestones"
    assert "1129.99" in exc.value.message
    assert Contract.objects.get(pk=short.pk).status == ContractStatus.DRAFT
    done = contracts.contract_activate(organization=org, actor=None, contract_id=cc.make_contract(org).pk)
    assert done.status == ContractStatus.ACTIVE
    assert done.signed_on == timezone.localdate()


@pytest.mark.parametrize(
    ("state", "action", "outcome"),
    [
        ("draft", "activate", ContractStatus.ACTIVE),
        ("draft", "complete", None),
        ("draft", "terminate", ContractStatus.TERMINATED),
        ("active", "activate", None),
        ("active", "complete", ContractStatus.COMPLETED),
        ("active", "terminate", ContractStatus.TERMINATED),
        ("completed", "activate", None),
        ("completed", "complete", None),
        ("completed", "terminate", None),
    ],
)
def test_every_transition(org, state, action, outcome):
    contract = cc.make_contract(org, state=state)
    service = contracts.CONTRACT_ACTIONS[action]
    if outcome is None:
        with pytest.raises(DomainError) as exc:
            service(organization=org, actor=None, contract_id=contract.pk)
        assert exc.value.code == "illegal_transition"
        assert Contract.objects.get(pk=contract.pk).status == contract.status
    else:
        assert service(organization=org, actor=None, contract_id=contract.pk).status == outcome


def test_a_terminated_contract_goes_nowhere_and_keeps_its_reason(org):
    contract = cc.make_contract(org)
    contracts.contract_terminate(organization=org, actor=None, contract_id=contract.pk, reason="客户取消")
    event = AuditEvent.objects.filter(object_type="crm.contract", action="state").get()
    assert event.changes == {"status": ["draft", "terminated"], "reason": "客户取消"}
    for action in contracts.CONTRACT_ACTIONS.values():
        with pytest.raises(DomainError):
            action(organization=org, actor=None, contract_id=contract.pk)


# Attachments ----------------------------------------------------------------------------------------------------------


def test_attachments_are_checked_stored_and_removed_while_draft(org, django_capture_on_commit_callbacks):
    contract = cc.make_contract(org)
    attachment = contracts.contract_attachment_add(
        organization=org, actor=None, contract_id=contract.pk, upload=cc.upload("签字版.PDF")
    )
    assert (attachment.name, attachment.size) == ("签字版.PDF", len(b"%PDF-1.4 contract"))
    stored = attachment.file.name
    assert stored.startswith("contracts/")
    assert stored.endswith(".pdf")
    assert "签字版" not in stored  # the stored name is ours, not the uploader's
    assert default_storage.exists(stored)
    for name, content, why in (
        ("run.exe", b"MZ", "type"),
        ("page.html", b"<script>", "type"),
        ("noext", b"x", "type"),
        ("empty.pdf", b"", "empty"),
    ):
        with pytest.raises(InvalidInput) as exc:
            contracts.contract_attachment_add(
                organization=org, actor=None, contract_id=contract.pk, upload=cc.upload(name, content)
            )
        assert fields(exc) == ["file"], why
    big = SimpleUploadedFile("big.pdf", b"0" * (contracts.MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_attachment_add(organization=org, actor=None, contract_id=contract.pk, upload=big)
    assert fields(exc) == ["file"]
    exact = SimpleUploadedFile("ok.xlsx", b"0" * contracts.MAX_ATTACHMENT_BYTES)
    contracts.contract_attachment_add(organization=org, actor=None, contract_id=contract.pk, upload=exact)
    assert ContractAttachment.objects.filter(contract=contract).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        contracts.contract_attachment_delete(
            organization=org, actor=None, contract_id=contract.pk, attachment_id=attachment.pk
        )
    assert not default_storage.exists(stored)
    contracts.contract_activate(organization=org, actor=None, contract_id=contract.pk)
    later = contracts.contract_attachment_add(
        organization=org, actor=None, contract_id=contract.pk, upload=cc.upload("补充协议.docx")
    )
    with pytest.raises(DomainError) as exc:
        contracts.contract_attachment_delete(
            organization=org, actor=None, contract_id=contract.pk, attachment_id=later.pk
        )
    assert exc.value.field == "status"
    contracts.contract_terminate(organization=org, actor=None, contract_id=contract.pk)
    with pytest.raises(DomainError):
        contracts.contract_attachment_add(organization=org, actor=None, contract_id=contract.pk, upload=cc.upload())


def test_an_attachment_of_another_contract_is_not_found(org):
    attachment = cc.make_attachment(org)
    other = cc.make_contract(org)
    with pytest.raises(NotFound):
        contracts.attachment_get(organization=org, actor=None, contract_id=other.pk, attachment_id=attachment.pk)
    with pytest.raises(NotFound):
        contracts.contract_attachment_delete(
            organization=org, actor=None, contract_id=other.pk, attachment_id=attachment.pk
        )
    assert ContractAttachment.objects.filter(pk=attachment.pk).exists()


# Linked orders --------------------------------------------------------------------------------------------------------


def test_orders_of_the_customer_are_linked_once(org):
    contract = cc.make_contract(org)
    order = cc.make_order(org, contract.customer)
    contracts.contract_order_link(organization=org, actor=None, contract_id=contract.pk, order_id=order.pk)
    assert list(contract.orders.all()) == [order]
    other_customer = cc.make_order(org, cc.customer(org, "别家客户"))
    second = cc.make_contract(org)
    cancelled = cc.make_order(org, contract.customer)
    orders.order_cancel(organization=org, actor=None, order_id=cancelled.pk)
    for target, order_id in ((contract, other_customer.pk), (second, order.pk), (contract, cancelled.pk)):
        with pytest.raises(InvalidInput) as exc:
            contracts.contract_order_link(organization=org, actor=None, contract_id=target.pk, order_id=order_id)
        assert fields(exc) == ["order_id"]
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_order_link(organization=org, actor=None, contract_id=contract.pk, order_id=10**9)
    assert fields(exc) == ["order_id"]
    assert list(second.orders.all()) == []
    contracts.contract_order_unlink(organization=org, actor=None, contract_id=contract.pk, order_id=order.pk)
    assert list(contract.orders.all()) == []
    contracts.contract_order_link(organization=org, actor=None, contract_id=second.pk, order_id=order.pk)
    with pytest.raises(NotFound):
        contracts.contract_order_unlink(organization=org, actor=None, contract_id=contract.pk, order_id=order.pk)
    contracts.contract_terminate(organization=org, actor=None, contract_id=second.pk)
    with pytest.raises(DomainError) as exc:
        contracts.contract_order_unlink(organization=org, actor=None, contract_id=second.pk, order_id=order.pk)
    assert exc.value.field == "status"


def test_the_customer_cannot_change_under_linked_orders(org):
    contract, _order = cc.linked_order(org)
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_update(
            organization=org, actor=None, contract_id=contract.pk, data=cc.contract_payload(org, cc.customer(org, "新"))
        )
    assert fields(exc) == ["customer_id"]


# Another organization, another rep ------------------------------------------------------------------------------------


def test_another_organizations_contract_is_not_found(org, other_org):
    theirs = cc.make_contract(other_org)
    order = cc.make_order(org)
    calls = [
        lambda: contracts.contract_get(organization=org, actor=None, pk=theirs.pk),
        lambda: contracts.contract_update(organization=org, actor=None, contract_id=theirs.pk, data={}),
        lambda: contracts.contract_activate(organization=org, actor=None, contract_id=theirs.pk),
        lambda: contracts.contract_terminate(organization=org, actor=None, contract_id=theirs.pk),
        lambda: contracts.contract_order_link(organization=org, actor=None, contract_id=theirs.pk, order_id=order.pk),
        lambda: contracts.contract_attachment_add(
            organization=org, actor=None, contract_id=theirs.pk, upload=cc.upload()
        ),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    theirs.refresh_from_db()
    assert theirs.status == ContractStatus.DRAFT
    assert not theirs.orders.exists()
    mine = cc.make_contract(org)
    with pytest.raises(InvalidInput) as exc:
        contracts.contract_order_link(
            organization=org, actor=None, contract_id=mine.pk, order_id=cc.make_order(other_org).pk
        )
    assert fields(exc) == ["order_id"]


def test_another_reps_contract_is_not_found(org, rep, other_rep, member):
    theirs = cc.make_contract(org, cc.customer(org, "别人的客户", owner=other_rep))
    assert theirs.owner == other_rep
    for call in (
        lambda: contracts.contract_get(organization=org, actor=rep, pk=theirs.pk),
        lambda: contracts.contract_activate(organization=org, actor=rep, contract_id=theirs.pk),
        lambda: contracts.contract_update(
            organization=org, actor=rep, contract_id=theirs.pk, data=cc.contract_payload(org)
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert list(contracts.contract_list(organization=org, actor=rep)) == []
    assert list(contracts.contract_list(organization=org, actor=other_rep)) == [theirs]
    assert list(contracts.contract_list(organization=org, actor=member("admin"))) == [theirs]


# Receivable progress --------------------------------------------------------------------------------------------------


def _day(n):
    return NOV + datetime.timedelta(days=n - 1)


def _delivered(org, order, day):
    line = order.lines.get()
    return deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": day,
            "warehouse_id": line.warehouse_id,
            "lines": [{"order_line_id": line.pk, "quantity": str(line.quantity)}],
        },
    ).lines.get()


def test_progress_against_the_plan_on_a_hand_built_case(org):
    """Order A (linked): 10 × 100.00 + 13 % = 1130.00; order B (not linked): 5 × 113.00 = 565.00. One invoice of both
    on Nov 3 (1695.00); a receipt of 847.50 on Nov 12 settles half of it, so A has received 847.50 × 1130 / 1695 =
    565.00. Plan: 339.00 due Nov 10, 791.00 due Nov 20; today Nov 25."""
    buyer = cc.customer(org, "进度客户")
    item = cc.product(org, "P-PG", on=NOV)
    order_a = cc.make_order(org, buyer, "10", day=_day(2), item=item)
    order_b = cc.make_order(org, buyer, "5", day=_day(2), item=item)
    contract = cc.make_contract(
        org,
        buyer,
        start_on=_day(1),
        milestones=[
            {"name": "预付款", "due_on": _day(10), "amount": "339.00"},
            {"name": "尾款", "due_on": _day(20), "amount": "791.00"},
        ],
    )
    contracts.contract_order_link(organization=org, actor=None, contract_id=contract.pk, order_id=order_a.pk)
    lines = [_delivered(org, order_a, _day(3)), _delivered(org, order_b, _day(3))]
    invoice = invoicing.invoice_post(
        organization=org,
        actor=None,
        data={"date": _day(3), "lines": [{"delivery_line_id": dl.pk, "quantity": str(dl.quantity)} for dl in lines]},
    )
    assert invoice.total == Decimal("1695.00")
    empty = contracts.contract_progress(organization=org, contract=contract, today=_day(25))
    assert (empty.invoiced, empty.received, empty.due, empty.overdue) == (
        Decimal("1130.00"),
        Decimal("0"),
        Decimal("1130.00"),
        Decimal("1130.00"),
    )
    receipts.receipt_post(
        organization=org,
        actor=None,
        data={"customer_id": buyer.pk, "date": _day(12), "account_id": account(org, "1002").pk, "amount": "847.50"},
    )
    progress = contracts.contract_progress(organization=org, contract=contract, today=_day(25))
    assert (progress.amount, progress.planned, progress.invoiced, progress.received) == (
        Decimal("1130.00"),
        Decimal("1130.00"),
        Decimal("1130.00"),
        Decimal("565.00"),
    )
    assert (progress.due, progress.overdue, progress.received_percent) == (Decimal("1130.00"), Decimal("565.00"), 50)
    first, last = progress.milestones
    assert (first.due, first.invoiced, first.received, first.paid, first.overdue) == (
        Decimal("339.00"),
        Decimal("1130.00"),
        Decimal("0"),
        True,
        False,
    )
    assert first.short == Decimal("339.00")  # nothing had come in on its date
    assert (last.due, last.invoiced, last.received, last.paid, last.overdue) == (
        Decimal("1130.00"),
        Decimal("1130.00"),
        Decimal("565.00"),
        False,
        True,
    )
    before_second = contracts.contract_progress(organization=org, contract=contract, today=_day(15))
    assert [m.overdue for m in before_second.milestones] == [False, False]
    assert (before_second.due, before_second.overdue) == (Decimal("339.00"), Decimal("0"))
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def test_progress_without_orders_or_plan(org):
    contract = cc.make_contract(org, milestones=[])
    progress = contracts.contract_progress(organization=org, contract=contract)
    assert (progress.invoiced, progress.received, progress.due, progress.milestones) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
        [],
    )


# Expiry reminders -----------------------------------------------------------------------------------------------------


def test_expiry_reminders_go_once_to_the_owner(org, rep, owner):
    today = datetime.date(2026, 11, 10)
    CrmSettings.objects.filter(pk=crm_settings(org).pk).update(contract_expiry_days=30)
    mine = cc.customer(org, "自有客户", owner=rep)

    def contract(end, state="active", buyer=mine):
        return cc.make_contract(org, buyer, state=state, start_on=datetime.date(2026, 1, 1), end_on=end)

    soon = contract(today + datetime.timedelta(days=30))
    later = contract(today + datetime.timedelta(days=31))  # beyond the reminder days
    contract(today + datetime.timedelta(days=3), state="draft")
    contract(today - datetime.timedelta(days=1))  # already ended
    unowned = contract(today + datetime.timedelta(days=5), buyer=cc.customer(org, "公海客户"))
    assert unowned.owner is None
    assert contracts.contract_expiry_reminders(organization=org, today=today) == 2
    notes = Notification.objects.filter(organization=org, kind=contracts.EXPIRY_KIND)
    assert sorted((n.user_id, n.key) for n in notes) == sorted(
        [(rep.pk, f"contract:{soon.pk}"), (owner.pk, f"contract:{unowned.pk}")]
    )
    assert notes.get(user=rep).link == f"/crm/contracts/{soon.pk}/"
    assert Contract.objects.get(pk=soon.pk).expiry_notified_on == today
    assert contracts.contract_expiry_reminders(organization=org, today=today) == 0  # once only
    assert notes.count() == 2
    assert contracts.contract_expiry_reminders(organization=org, today=today + datetime.timedelta(days=1)) == 1
    assert set(notes.values_list("key", flat=True)) == {f"contract:{c.pk}" for c in (soon, unowned, later)}


# Demo -----------------------------------------------------------------------------------------------------------------


def test_the_demo_contracts(org, rep):
    from suanpan.crm.contract_demo import load_contracts
    from suanpan.crm.models import Segment, TagRule

    today = timezone.localdate()
    buyers = [cc.customer(org, f"演示客户{n}", owner=rep) for n in range(9)]
    for buyer in buyers[:3]:
        cc.make_order(org, buyer)
    load_contracts(org, {}, today)
    made = list(Contract.objects.filter(organization=org).order_by("pk"))
    assert len(made) == 8
    for contract in made:
        assert sum(m.amount for m in contract.milestones.all()) == contract.amount
        assert all(o.customer_id == contract.customer_id for o in contract.orders.all())
    assert {c.customer for c in made if c.orders.exists()} == set(buyers[:3])
    soon = [c for c in made if c.status == "active" and c.end_on <= today + datetime.timedelta(days=30)]
    assert len(soon) == 2
    assert {c.status for c in made} == {"active", "draft", "completed", "terminated"}
    assert set(Segment.objects.filter(organization=org).values_list("name", flat=True)) == {
        "华东高价值客户",
        "90天未采购",
    }
    assert TagRule.objects.get(organization=org).tag.name == "高价值"
    load_contracts(org, {}, today)  # once only
    assert Contract.objects.filter(organization=org).count() == 8
