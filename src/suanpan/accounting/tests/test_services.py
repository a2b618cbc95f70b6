from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from suanpan.accounting.models import Account, AccountBalance, Period, Voucher, VoucherLine
from suanpan.accounting.services import (
    account_create,
    account_delete,
    period_for_date,
    voucher_create,
    voucher_delete,
    voucher_post,
    voucher_reverse,
    voucher_review,
    voucher_unreview,
    voucher_update,
)
from suanpan.accounting.tests.conftest import DAY
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.core.services import organization_update

pytestmark = pytest.mark.django_db


def sale_lines(acc, customer, amount="11300.00"):
    net = (Decimal(amount) / Decimal("1.13")).quantize(Decimal("0.01"))
    return [
        {"summary": "销售 A4复印纸", "account": acc("1122"), "debit": amount, "partner": customer},
        {"summary": "销售 A4复印纸", "account": acc("5001"), "credit": str(net)},
        {"summary": "销项税额", "account": acc("22210107"), "credit": str(Decimal(amount) - net)},
    ]


def post(org, voucher, reviewer, poster):
    voucher_review(organization=org, actor=reviewer, voucher_id=voucher.pk)
    return voucher_post(organization=org, actor=poster, voucher_id=voucher.pk)


def test_the_chart_of_accounts_is_loaded_for_a_new_organization(org, acc):
    assert Account.objects.filter(organization=org).count() == 209
    assert Account.objects.filter(organization=org, level=1).count() == 66
    assert acc("1122").dimensions == ["customer"]
    assert acc("2202").dimensions == ["supplier"]
    assert acc("1002").is_cash
    assert acc("22210101").parent == acc("222101")
    assert acc("5403").name == "税金及附加"
    assert Period.objects.filter(organization=org).count() == 12


def test_a_small_scale_taxpayer_keeps_222101_as_one_account(make_user):
    """No 进项税额/销项税额 columns for a small-scale taxpayer: its VAT is posted to 222101 itself."""
    from suanpan.onboarding import organization_open

    small = organization_open(
        owner=make_user("small-boss"), data={"name": "小规模商店", "taxpayer_type": "small_scale"}
    )
    vat = Account.objects.get(organization=small, code="222101")
    assert not vat.children.exists()
    assert Account.objects.filter(organization=small).count() == 209 - 10  # the ten 222101 columns


def test_draft_review_post_numbers_and_balances(org, acc, customer, accountant, reviewer):
    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer), attachments=2)
    assert (v.status, v.number, v.total_debit) == ("draft", None, Decimal("11300.00"))
    post(org, v, reviewer, reviewer)
    v.refresh_from_db()
    assert (v.status, v.number, v.display_number) == ("posted", 1, "记-0001")
    second = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer, "113.00"))
    assert post(org, second, reviewer, reviewer).number == 2
    total = AccountBalance.objects.get(account=acc("1122"), period=v.period, partner__isnull=True)
    by_customer = AccountBalance.objects.get(account=acc("1122"), period=v.period, partner=customer)
    assert (total.debit, total.credit) == (Decimal("11413.00"), Decimal("0"))
    assert by_customer.debit == Decimal("11413.00")
    assert AccountBalance.objects.get(account=acc("5001"), partner__isnull=True).credit == Decimal("10100.00")
    assert AuditEvent.objects.filter(object_type="accounting.voucher", object_id=str(v.pk), action="state").count() == 2


def test_numbers_are_per_word_and_period(org, acc, customer, accountant, reviewer):
    def make(word, day):
        v = voucher_create(organization=org, actor=accountant, date=day, lines=sale_lines(acc, customer), word=word)
        return post(org, v, reviewer, reviewer).display_number

    assert make("记", DAY) == "记-0001"
    assert make("收", DAY) == "收-0001"
    assert make("记", DAY) == "记-0002"
    assert make("记", DAY.replace(month=12)) == "记-0001"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda ls: ls.__setitem__(1, {**ls[1], "credit": "9999.00"}), "lines"),
        (lambda ls: ls.__setitem__(0, {**ls[0], "partner": None}), "lines.1.partner"),
        (lambda ls: ls.__setitem__(0, {**ls[0], "credit": "1.00"}), "lines.1.debit"),
        (lambda ls: ls.__setitem__(0, {**ls[0], "debit": "11300.001"}), "lines.1.debit"),
        (lambda ls: ls.__setitem__(1, {**ls[1], "summary": " "}), "lines.2.summary"),
        (lambda ls: ls.__setitem__(2, {**ls[2], "account": "2221"}), "lines.3.account"),
        (lambda ls: ls.__setitem__(2, {**ls[2], "account": 99999999}), "lines.3.account"),
        (lambda ls: ls.__setitem__(0, {**ls[0], "debit": "abc"}), "lines.1.debit"),
        (lambda ls: ls[:] == ls[:1] or ls.__delitem__(slice(1, None)), "lines"),
    ],
)
def test_bad_vouchers_are_refused_and_nothing_saved(org, acc, customer, accountant, change, field):
    lines = sale_lines(acc, customer)
    change(lines)
    for line in lines:
        if line.get("account") == "2221":
            line["account"] = acc("2221").pk
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=accountant, date=DAY, lines=lines)
    assert field in [e.field for e in exc.value.errors], exc.value.errors
    assert not Voucher.objects.exists()
    assert not VoucherLine.objects.exists()


def test_closed_period_refuses_entry_and_posting(org, acc, customer, accountant, reviewer):
    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    voucher_review(organization=org, actor=reviewer, voucher_id=v.pk)
    Period.objects.filter(pk=v.period_id).update(status="closed")
    with pytest.raises(DomainError, match="closed"):
        voucher_post(organization=org, actor=reviewer, voucher_id=v.pk)
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    assert exc.value.errors[0].field == "date"
    assert Voucher.objects.count() == 1
    assert not AccountBalance.objects.exists()


def test_review_rules(org, acc, customer, accountant, reviewer, owner):
    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    with pytest.raises(DomainError, match="someone other"):
        voucher_review(organization=org, actor=accountant, voucher_id=v.pk)
    with pytest.raises(DomainError):
        voucher_post(organization=org, actor=reviewer, voucher_id=v.pk)  # not reviewed yet
    voucher_review(organization=org, actor=reviewer, voucher_id=v.pk)
    with pytest.raises(DomainError, match="draft"):
        voucher_update(organization=org, actor=accountant, voucher_id=v.pk, date=DAY, lines=sale_lines(acc, customer))
    voucher_unreview(organization=org, actor=reviewer, voucher_id=v.pk)
    organization_update(organization=org, actor=owner, data={"allow_self_review": True})
    org.refresh_from_db()
    assert voucher_review(organization=org, actor=accountant, voucher_id=v.pk).reviewer == accountant


def test_only_finance_may_enter_and_post(org, acc, customer, member):
    with pytest.raises(PermissionRefused):
        voucher_create(organization=org, actor=member("sales"), date=DAY, lines=sale_lines(acc, customer))
    assert not Voucher.objects.exists()


def test_drafts_change_and_delete_but_posted_vouchers_do_not(org, acc, customer, accountant, reviewer):
    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    voucher_update(
        organization=org, actor=accountant, voucher_id=v.pk, date=DAY, lines=sale_lines(acc, customer, "226.00")
    )
    v.refresh_from_db()
    assert v.total_debit == Decimal("226.00")
    assert v.lines.count() == 3
    post(org, v, reviewer, reviewer)
    with pytest.raises(DomainError):
        voucher_delete(organization=org, actor=accountant, voucher_id=v.pk)
    with pytest.raises(DomainError):
        voucher_update(organization=org, actor=accountant, voucher_id=v.pk, date=DAY, lines=sale_lines(acc, customer))
    draft = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    voucher_delete(organization=org, actor=accountant, voucher_id=draft.pk)
    assert list(Voucher.objects.values_list("pk", flat=True)) == [v.pk]


def test_the_database_refuses_changes_to_posted_rows(org, acc, customer, accountant, reviewer):
    v = post(
        org,
        voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer)),
        reviewer,
        reviewer,
    )
    line = v.lines.first()
    for attempt in (
        lambda: Voucher.objects.filter(pk=v.pk).update(notes="改"),
        lambda: Voucher.objects.filter(pk=v.pk).delete(),
        lambda: VoucherLine.objects.filter(pk=line.pk).update(debit=Decimal("1")),
        lambda: VoucherLine.objects.filter(pk=line.pk).delete(),
        lambda: VoucherLine.objects.create(
            voucher=v, organization=org, seq=9, summary="x", account=acc("1001"), debit=Decimal("1")
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    line.refresh_from_db()
    assert line.debit == Decimal("11300.00")


def test_red_ink_reversal_nets_to_zero(org, acc, customer, accountant, reviewer):
    v = post(
        org,
        voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer)),
        reviewer,
        reviewer,
    )
    red = voucher_reverse(organization=org, actor=accountant, voucher_id=v.pk, date=DAY)
    assert red.reverses == v
    assert red.total_debit == Decimal("-11300.00")
    assert [ln.debit for ln in red.lines.order_by("seq")] == [Decimal("-11300.00"), Decimal("0"), Decimal("0")]
    assert "记-0001" in red.lines.first().summary
    post(org, red, reviewer, reviewer)
    total = AccountBalance.objects.get(account=acc("1122"), partner__isnull=True)
    assert (total.debit, total.credit) == (Decimal("0"), Decimal("0"))
    with pytest.raises(DomainError, match="already"):
        voucher_reverse(organization=org, actor=accountant, voucher_id=v.pk, date=DAY)
    with pytest.raises(DomainError):
        voucher_reverse(organization=org, actor=accountant, voucher_id=red.pk, date=DAY)


def test_another_organizations_voucher_is_not_found(org, other_org, acc, customer, accountant):
    from suanpan.core.models import Membership

    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=sale_lines(acc, customer))
    their_owner = Membership.objects.get(organization=other_org).user
    with pytest.raises(NotFound):
        voucher_delete(organization=other_org, actor=their_owner, voucher_id=v.pk)
    assert Voucher.objects.filter(pk=v.pk).exists()


def test_references_of_another_organization_are_refused(org, other_org, acc, customer, accountant):
    theirs = Account.objects.get(organization=other_org, code="5001")
    lines = sale_lines(acc, customer)
    lines[1]["account"] = theirs
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=accountant, date=DAY, lines=lines)
    assert exc.value.errors[0].field == "lines.2.account"


def test_sub_accounts(org, acc, accountant):
    bank = account_create(
        organization=org, actor=accountant, data={"parent": acc("1002"), "code": "100201", "name": "工商银行基本户"}
    )
    assert (bank.category, bank.normal_balance, bank.level, bank.is_cash) == ("asset", "debit", 2, True)
    with pytest.raises(InvalidInput) as exc:
        account_create(organization=org, actor=accountant, data={"parent": acc("1002"), "code": "1003", "name": "x"})
    assert exc.value.errors[0].field == "code"
    with pytest.raises(DomainError, match="sub-accounts"):
        account_delete(organization=org, actor=accountant, account_id=acc("1002").pk)
    account_delete(organization=org, actor=accountant, account_id=bank.pk)
    assert not Account.objects.filter(code="100201").exists()


def test_an_account_with_postings_gets_no_sub_accounts(org, acc, customer, accountant, reviewer):
    lines = [
        {"summary": "存现", "account": acc("1002"), "debit": "100"},
        {"summary": "存现", "account": acc("1001"), "credit": "100"},
    ]
    post(org, voucher_create(organization=org, actor=accountant, date=DAY, lines=lines), reviewer, reviewer)
    with pytest.raises(DomainError, match="postings"):
        account_create(
            organization=org, actor=accountant, data={"parent": acc("1002"), "code": "100201", "name": "工行"}
        )


def test_periods_open_on_demand(org):
    period = period_for_date(organization=org, on=DAY.replace(year=2027, month=3))
    assert (period.year, period.month, str(period.end)) == (2027, 3, "2027-03-31")
    assert Period.objects.filter(organization=org, year=2027).count() == 12
