"""States, kinds and transitions of the books."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suanpan.core.documents import Workflow


class AccountCategory(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    COST = "cost", _("Cost")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class Side(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period", "Open")
    CLOSED = "closed", pgettext_lazy("period", "Closed")


class VoucherStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    POSTED = "posted", _("Posted")


VOUCHER_FLOW = Workflow(
    [
        (VoucherStatus.DRAFT, VoucherStatus.REVIEWED),
        (VoucherStatus.REVIEWED, VoucherStatus.DRAFT),
        (VoucherStatus.REVIEWED, VoucherStatus.POSTED),
    ],
    labels={s.value: str(s.label) for s in VoucherStatus},
)


class Dimension(models.TextChoices):
    """Auxiliary dimensions (辅助核算) an account can require on its lines."""

    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")
    EMPLOYEE = "employee", _("Employee")
    DEPARTMENT = "department", _("Department")
    PROJECT = "project", _("Project")
    PRODUCT = "product", _("Product")


# `Voucher.source_type` of the vouchers the month-end close makes (结转损益 and the year-end carry of 本年利润).
# The income statement leaves them out: it reports what the P&L accounts earned and spent, not their closing.
PERIOD_CLOSE_SOURCE = "accounting.period_close"
YEAR_END_SOURCE = "accounting.year_end"
