"""Open items (应收/应付 明细) and payments with their write-off (核销) allocations.

Invariants (checked by `suanpan verify`, kept by the services in `finance.services`):
- open items and allocations are append-only: never edited or deleted (database triggers refuse it);
- an item's open amount = amount − Σ its allocations, computed, never stored; it never changes sign and never
  exceeds the amount in size;
- the GL balance of each kind's control account (2202 payables, 1123 prepayments, 1122 receivables, 2203 advance
  receipts), in total and per partner, equals Σ open amounts of that kind's items.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField
from suanpan.finance.choices import OpenItemKind, PaymentKind


class OpenItem(OrgScoped):
    """One receivable or payable (or prepayment) from a source document: who, how much (signed), when due."""

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpenItemKind.choices)
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"))
    amount = MoneyField(_("amount"))
    source_type = models.CharField(_("source document type"), max_length=40)
    source_id = models.PositiveBigIntegerField(_("source document"))
    source_label = models.CharField(_("source"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        ordering = ["due_date", "date", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="openitem_amount_not_zero")]
        indexes = [
            models.Index(fields=["organization", "kind", "partner", "due_date"], name="openitem_partner_idx"),
            models.Index(fields=["organization", "source_type", "source_id"], name="openitem_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} {self.amount}"


class Payment(OrgScoped):
    """A supplier payment out of a cash or bank account, or a customer receipt into one (or, with no cash, an
    application of prepayments / advance receipts), with the allocations that settle open items. Posted when made:
    its voucher and allocations are written at once."""

    number = models.CharField(_("number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=30, choices=PaymentKind.choices)
    date = models.DateField(_("date"))
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        "accounting.Account",
        verbose_name=_("cash or bank account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = MoneyField(_("amount paid"), default=Decimal("0"))
    advance = MoneyField(_("of which advance"), default=Decimal("0"))
    cash_flow_item = models.CharField(_("cash-flow item"), max_length=10, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    voucher = models.ForeignKey(
        "accounting.Voucher",
        verbose_name=_("voucher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="payment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(advance__gte=0), name="payment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(OrgScoped):
    """核销: part of an open item settled by a payment. Signed like the item it settles."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    item = models.ForeignKey(
        OpenItem, verbose_name=_("open item"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = MoneyField(_("amount"))
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="allocation_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.amount}"
