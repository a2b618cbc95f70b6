"""Ledger invariants for `suanpan verify` (each returns readable differences; none means clean):

1. every posted voucher balances, and its stored totals equal the sums of its lines;
2. every balance row (account × period, and × partner) equals the sums of the posted lines behind it, and no
   posted line lacks its balance row;
3. the trial balance balances: total debits = total credits over all periods; accepted opening balances net to 0
   (and their year-to-date debits = credits); an opening total kept by partner = the sum of its partner rows.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import AccountBalance, Books, OpeningBalance, Voucher, VoucherLine
from suanpan.core.models import Organization
from suanpan.core.money import money

ZERO = Decimal("0")
Key = tuple[int, int, int | None]


def vouchers_balance(org: Organization) -> list[str]:
    problems = []
    sums = (
        VoucherLine.objects.filter(organization=org, voucher__status=VoucherStatus.POSTED)
        .values("voucher_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    by_voucher = {row["voucher_id"]: (money(row["d"]), money(row["c"])) for row in sums}
    for v in Voucher.objects.filter(organization=org, status=VoucherStatus.POSTED).select_related("period"):
        debit, credit = by_voucher.get(v.pk, (money(ZERO), money(ZERO)))
        if debit != credit:
            problems.append(f"voucher {v.period} {v.display_number}: debit {debit} ≠ credit {credit}")
        if (v.total_debit, v.total_credit) != (debit, credit):
            problems.append(
                f"voucher {v.period} {v.display_number}: stored totals {v.total_debit}/{v.total_credit} "
                f"≠ lines {debit}/{credit}"
            )
    return problems


def balances_match_lines(org: Organization) -> list[str]:
    expected: dict[Key, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    lines = VoucherLine.objects.filter(organization=org, voucher__status=VoucherStatus.POSTED).values(
        "account_id", "voucher__period_id", "partner_id", "debit", "credit"
    )
    for line in lines.iterator(chunk_size=5000):
        keys: list[Key] = [(line["account_id"], line["voucher__period_id"], None)]
        if line["partner_id"]:
            keys.append((line["account_id"], line["voucher__period_id"], line["partner_id"]))
        for key in keys:
            expected[key][0] += line["debit"]
            expected[key][1] += line["credit"]
    stored: dict[Key, tuple[Decimal, Decimal]] = {
        (b.account_id, b.period_id, b.partner_id): (b.debit, b.credit)
        for b in AccountBalance.objects.filter(organization=org)
    }
    problems = []
    for key in sorted(set(expected) | set(stored), key=lambda k: (k[0], k[1], k[2] or 0)):
        want = tuple(money(x) for x in expected.get(key, [ZERO, ZERO]))
        have = tuple(money(x) for x in stored.get(key, (ZERO, ZERO)))
        if want != have:
            account, period, partner = key
            who = f" partner #{partner}" if partner else ""
            problems.append(
                f"account #{account} period #{period}{who}: balance {have[0]}/{have[1]} ≠ lines {want[0]}/{want[1]}"
            )
    return problems


def trial_balance_balances(org: Organization) -> list[str]:
    totals = AccountBalance.objects.filter(organization=org, partner__isnull=True).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    debit, credit = money(totals["d"] or ZERO), money(totals["c"] or ZERO)
    problems = []
    if debit != credit:
        problems.append(f"all periods: debits {debit} ≠ credits {credit}")
    openings = OpeningBalance.objects.filter(organization=org)
    books = Books.objects.filter(organization=org).first()
    if books is not None and books.opening_accepted:  # before acceptance they are work in progress
        opening = openings.filter(partner__isnull=True).aggregate(
            b=Sum("balance"), d=Sum("ytd_debit"), c=Sum("ytd_credit")
        )
        if (opening["b"] or ZERO) != ZERO:
            problems.append(f"opening balances do not net to zero: {opening['b']}")
        if (opening["d"] or ZERO) != (opening["c"] or ZERO):
            problems.append(f"opening year-to-date debits {opening['d']} ≠ credits {opening['c']}")
    by_partner = openings.filter(partner__isnull=False).values("account_id").annotate(b=Sum("balance"))
    opening_totals: dict[int, Decimal] = {}
    for account_id, balance in openings.filter(partner__isnull=True).values_list("account_id", "balance"):
        opening_totals[account_id] = balance
    for row in by_partner:
        total, parts = money(opening_totals.get(row["account_id"], ZERO)), money(row["b"])
        if total != parts:
            problems.append(f"account #{row['account_id']}: opening total {total} ≠ its partner rows {parts}")
    return problems
