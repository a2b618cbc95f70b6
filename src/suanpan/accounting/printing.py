"""What the printed forms show: 记账凭证 sheets and the contexts of the ledger PDFs.

A voucher prints on half-A4 sheets (two to a page, cut along the dashed line) in the usual layout: title,
凭证字号, date, 附单据 N 张, a table 摘要 | 会计科目 | 借方金额 | 贷方金额 with `ROWS_PER_SHEET` line rows, the
合计 row with the total in words (大写) and figures, and the 记账 / 审核 / 出纳 / 制单 names. A longer voucher
continues on further sheets: each but the last ends with 过次页 (the sums so far), each but the first starts
with 承前页 (the same sums), and every sheet says 第 x / y 张.

Only reads: these functions build plain data for the templates under `accounting/pdf/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from suanpan.accounting.models import Account, Period, Voucher, VoucherLine
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import Organization
from suanpan.core.money import amount_in_words
from suanpan.core.types import Actor

ROWS_PER_SHEET = 6
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PrintLine:
    summary: str
    account: str  # code and full name path: 22210107 应交税费-应交增值税-销项税额
    auxiliary: str  # customer/supplier, product, employee, department, project
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class VoucherSheet:
    number: int  # 1-based
    count: int
    lines: list[PrintLine]
    blanks: int  # empty rows that pad the table to ROWS_PER_SHEET
    carried: tuple[Decimal, Decimal] | None  # 承前页: the sums of the sheets before
    debit: Decimal  # the sums up to the end of this sheet (过次页), the voucher's totals on the last
    credit: Decimal

    @property
    def is_last(self) -> bool:
        return self.number == self.count

    @property
    def blank_rows(self) -> range:
        return range(self.blanks)


@dataclass(frozen=True)
class VoucherPrint:
    voucher: Voucher
    organization_name: str
    sheets: list[VoucherSheet]
    total_words: str
    bookkeeper: str  # 记账: who posted it
    reviewer: str  # 审核
    cashier: str  # 出纳: not recorded by the books; signed by hand
    maker: str  # 制单

    @property
    def is_posted(self) -> bool:
        return self.voucher.posted_at is not None and self.voucher.number is not None


def _user_name(user: Actor | None) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())  # type: ignore[union-attr]


def account_paths(accounts: Iterable[Account]) -> dict[int, str]:
    """Each account's code with its full name path (parent names first, joined with '-')."""
    by_pk = {a.pk: a for a in accounts}
    paths: dict[int, str] = {}
    for account in by_pk.values():
        names, current = [], account
        while current is not None:
            names.append(current.name)
            current = by_pk.get(current.parent_id) if current.parent_id else None  # type: ignore[assignment]
        paths[account.pk] = f"{account.code} {'-'.join(reversed(names))}"
    return paths


def _auxiliary(line: VoucherLine) -> str:
    parts = [
        str(line.partner.name) if line.partner else "",
        str(line.product.name) if line.product else "",
        line.employee,
        line.department,
        line.project,
    ]
    return " / ".join(p for p in parts if p)


def _sheets(lines: Sequence[PrintLine]) -> list[VoucherSheet]:
    chunks = [list(lines[i : i + ROWS_PER_SHEET]) for i in range(0, len(lines), ROWS_PER_SHEET)] or [[]]
    sheets, debit, credit = [], ZERO, ZERO
    for number, chunk in enumerate(chunks, start=1):
        carried = (debit, credit) if number > 1 else None
        debit += sum((ln.debit for ln in chunk), ZERO)
        credit += sum((ln.credit for ln in chunk), ZERO)
        sheets.append(VoucherSheet(number, len(chunks), chunk, ROWS_PER_SHEET - len(chunk), carried, debit, credit))
    return sheets


def voucher_prints(*, organization: Organization, vouchers: Sequence[Voucher]) -> list[VoucherPrint]:
    """The printed form of each voucher (all of `organization`), in the given order."""
    if any(v.organization_id != organization.pk for v in vouchers):
        raise NotFound(_("No such voucher."))
    paths = account_paths(Account.objects.filter(organization=organization))
    lines_of: dict[int, list[VoucherLine]] = {v.pk: [] for v in vouchers}
    lines = (
        VoucherLine.objects.filter(organization=organization, voucher_id__in=list(lines_of))
        .select_related("partner", "product")
        .order_by("voucher_id", "seq")
    )
    for line in lines:
        lines_of[line.voucher_id].append(line)
    prints = []
    for voucher in vouchers:
        printed = [
            PrintLine(ln.summary, paths.get(ln.account_id, ""), _auxiliary(ln), ln.debit, ln.credit)
            for ln in lines_of[voucher.pk]
        ]
        prints.append(
            VoucherPrint(
                voucher=voucher,
                organization_name=organization.name,
                sheets=_sheets(printed),
                total_words=amount_in_words(voucher.total_debit),
                bookkeeper=_user_name(voucher.poster) if voucher.posted_at else "",
                reviewer=_user_name(voucher.reviewer),
                cashier="",
                maker=_user_name(voucher.maker),
            )
        )
    return prints


def _printable(organization: Organization) -> QuerySet[Voucher]:
    return Voucher.objects.filter(organization=organization).select_related("period", "maker", "reviewer", "poster")


def voucher_print(*, organization: Organization, pk: object) -> VoucherPrint:
    key = str(pk)
    voucher = _printable(organization).filter(pk=int(key) if key.isdigit() and len(key) <= 18 else 0).first()
    if voucher is None:
        raise NotFound(_("No such voucher."))
    return voucher_prints(organization=organization, vouchers=[voucher])[0]


def parse_ids(value: str, field: str = "ids") -> list[int]:
    """'3,5, 8' → [3, 5, 8]; anything else is an input error naming `field`."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 18 for p in parts) or len(parts) > 1000:
        raise InvalidInput.single(field, _("Give voucher ids separated by commas, e.g. 3,5,8."))
    return list(dict.fromkeys(int(p) for p in parts))


def voucher_batch(
    *, organization: Organization, ids: Sequence[int] | None = None, period: Period | None = None, status: str = ""
) -> list[VoucherPrint]:
    """Vouchers to print together: the given ids (all must be this organization's) or a whole period's, in
    number order (drafts after the numbered ones), optionally only those in `status`."""
    vouchers = _printable(organization)
    if ids is not None:
        vouchers = vouchers.filter(pk__in=list(ids))
        if vouchers.count() != len(set(ids)):
            raise NotFound(_("No such voucher."))
    elif period is not None:
        vouchers = vouchers.filter(period=period)
    else:
        raise InvalidInput.single("period", _("Choose a period or vouchers to print."))
    if status:
        vouchers = vouchers.filter(status=status)
    ordered = sorted(vouchers, key=lambda v: (v.number is None, v.word, v.number or 0, v.date, v.pk))
    return voucher_prints(organization=organization, vouchers=ordered)
