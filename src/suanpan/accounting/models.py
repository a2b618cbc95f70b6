"""The books: chart of accounts, periods, vouchers and their lines, and balances per account × period.

Invariants (checked by `suanpan verify`, enforced by `services.voucher_post`, the only writer of posted rows):
- a posted voucher balances exactly: Σ debit = Σ credit, in Decimal, no tolerance;
- a posted voucher and its lines are never updated or deleted (database triggers refuse it); corrections are
  red-ink reversing vouchers (`reverses`) or new adjusting vouchers;
- `AccountBalance` rows equal the sums of the posted lines of their account × period (× partner).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suanpan.accounting.choices import AccountCategory, PeriodStatus, Side, VoucherStatus
from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField


class Account(OrgScoped):
    """A ledger account (会计科目). Codes 4+2+2 digits; a parent is the code without its last two digits."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=10, choices=AccountCategory.choices)
    normal_balance = models.CharField(_("normal balance"), max_length=6, choices=Side.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    dimensions = models.JSONField(_("auxiliary dimensions"), default=list, blank=True)
    is_cash = models.BooleanField(
        _("cash or bank"), default=False, help_text=_("Lines on this account are tagged with a cash-flow item.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="account_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Period(OrgScoped):
    """One month of a fiscal year; vouchers post only into open periods."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2200)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "month"], name="period_unique"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="period_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def key(self) -> str:
        return f"{self.year}{self.month:02d}"

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN


class Voucher(OrgScoped):
    """A 记账凭证: 凭证字 and number (gapless per period and 字, taken when posted), lines, workflow."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="vouchers")
    word = models.CharField(_("voucher word"), max_length=4, default="记")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    date = models.DateField(_("date"))
    attachments = models.PositiveSmallIntegerField(_("attachments"), default=0, validators=[MaxValueValidator(999)])
    status = models.CharField(_("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.DRAFT)
    total_debit = MoneyField(_("total debit"), default=Decimal("0"))
    total_credit = MoneyField(_("total credit"), default=Decimal("0"))
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    source_type = models.CharField(_("source document type"), max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(_("source document"), null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["period__year", "period__month", "word", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period", "word", "number"],
                name="voucher_number_unique",
                condition=Q(number__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(status=VoucherStatus.POSTED)
                | Q(number__isnull=False, total_debit=models.F("total_credit")),
                name="voucher_posted_numbered_and_balanced",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "date"], name="voucher_status_idx")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        if self.number:
            return f"{self.word}-{self.number:04d}"
        draft = _("draft")  # outside the f-string, where makemessages finds it
        return f"{self.word}-{draft}#{self.pk}"


class VoucherLine(models.Model):
    """One line of a voucher: 摘要, account, auxiliary dimensions, and a debit or a credit (red ink: negative)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="lines")
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveSmallIntegerField(_("line"))
    summary = models.CharField(_("summary"), max_length=200)
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField(_("debit"), default=Decimal("0"))
    credit = MoneyField(_("credit"), default=Decimal("0"))
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("customer/supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employee = models.CharField(_("employee"), max_length=60, blank=True)
    department = models.CharField(_("department"), max_length=60, blank=True)
    project = models.CharField(_("project"), max_length=60, blank=True)
    cash_flow_item = models.CharField(_("cash-flow item"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("voucher line")
        verbose_name_plural = _("voucher lines")
        ordering = ["voucher", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit=0) & ~Q(credit=0)) | (~Q(debit=0) & Q(credit=0)),
                name="voucherline_one_side",
                violation_error_message=_("A line has either a debit or a credit amount, not both and not neither."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "account"], name="voucherline_account_idx")]

    def __str__(self) -> str:
        return f"{self.voucher_id}/{self.seq} {self.account_id}"

    @property
    def amount(self) -> Decimal:
        net: Decimal = self.debit - self.credit
        return net


class AccountBalance(OrgScoped):
    """Posted movements of one account in one period, in total (`partner` empty) or per partner."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="balances")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    debit = MoneyField(default=Decimal("0"))
    credit = MoneyField(default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period"], condition=Q(partner__isnull=True), name="accountbalance_total_unique"
            ),
            models.UniqueConstraint(
                fields=["account", "period", "partner"],
                condition=Q(partner__isnull=False),
                name="accountbalance_partner_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.period_id}: {self.debit}/{self.credit}"


class OpeningBalance(OrgScoped):
    """期初余额 of an account (and partner) at the start of the books, with year-to-date movements for a company
    that starts mid-year. Accepted only when they balance (trial-balance check)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="openings")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    balance = MoneyField(_("opening balance"), default=Decimal("0"), help_text=_("Debit positive, credit negative."))
    ytd_debit = MoneyField(_("debit so far this year"), default=Decimal("0"))
    ytd_credit = MoneyField(_("credit so far this year"), default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(partner__isnull=True), name="openingbalance_total_unique"
            ),
            models.UniqueConstraint(
                fields=["account", "partner"], condition=Q(partner__isnull=False), name="openingbalance_partner_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.balance}"


class Books(OrgScoped):
    """The set-up of an organization's books (账套): where they start, their 凭证字, and the opening balances' state.

    `start` is the first period of the books (建账期间): opening balances are the balances at its start, and no
    voucher may be dated before it. Opening balances can be changed until they are accepted (after the trial-
    balance check); from then on the books run and corrections go through vouchers.
    """

    start = models.ForeignKey(
        Period, verbose_name=_("first period of the books"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    voucher_words = models.JSONField(_("voucher words"), default=list, blank=True)
    opening_accepted_at = models.DateTimeField(_("opening balances accepted at"), null=True, blank=True)
    opening_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opening balances accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("books")
        verbose_name_plural = _("books")
        constraints = [models.UniqueConstraint(fields=["organization"], name="books_one_per_organization")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.start}"

    @property
    def opening_accepted(self) -> bool:
        return self.opening_accepted_at is not None
