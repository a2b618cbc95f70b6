"""Purchase orders, receipts (采购入库) and purchase returns.

Invariants (checked by `suanpan verify`): each order line's `received_quantity` = Σ its receipt lines'
quantities and `returned_quantity` = Σ the return lines against them; document totals = Σ lines. Receipts and
returns are posted when made (stock moves, voucher, open item in one transaction) and never change afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField, PriceField, QuantityField
from suanpan.purchasing.choices import OrderStatus


class PurchaseOrder(OrgScoped):
    number = models.CharField(_("number"), max_length=40, blank=True)
    supplier = models.ForeignKey(
        "partners.Partner", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "status", "date"], name="po_status_idx")]

    def __str__(self) -> str:
        return self.number or _("Draft order #%(id)s") % {"id": self.pk}

    @property
    def display_number(self) -> str:
        """The number, or "Draft order #id" before approval gives it one."""
        return str(self)


class PurchaseOrderLine(OrgScoped):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price excl. VAT"))
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))
    received_quantity = QuantityField(_("received"), default=Decimal("0"))
    returned_quantity = QuantityField(_("returned"), default=Decimal("0"))

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="poline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="poline_price_not_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(received_quantity__lte=models.F("quantity")),
                name="poline_received_within_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.seq}"

    @property
    def open_quantity(self) -> Decimal:
        result: Decimal = self.quantity - self.received_quantity
        return result


class Receipt(OrgScoped):
    """采购入库: goods received against an approved order, posted at once."""

    number = models.CharField(_("number"), max_length=40)
    order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.PROTECT, related_name="receipts"
    )
    supplier = models.ForeignKey(
        "partners.Partner", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    cost = MoneyField(_("inventory value"), default=Decimal("0"))
    due_date = models.DateField(_("due date"))
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
        verbose_name = _("purchase receipt")
        verbose_name_plural = _("purchase receipts")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="receipt_number_unique")]

    def __str__(self) -> str:
        return self.number


class ReceiptLine(OrgScoped):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "inventory.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price excl. VAT"))
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))
    cost = MoneyField(_("inventory value"))
    returned_quantity = QuantityField(_("returned"), default=Decimal("0"))

    class Meta:
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receiptline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("quantity")),
                name="receiptline_returned_within_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}/{self.pk}"

    @property
    def returnable_quantity(self) -> Decimal:
        result: Decimal = self.quantity - self.returned_quantity
        return result


class PurchaseReturn(OrgScoped):
    """采购退货: goods sent back against a receipt; stock out at the cost they came in with, red voucher."""

    number = models.CharField(_("number"), max_length=40)
    receipt = models.ForeignKey(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="returns")
    supplier = models.ForeignKey(
        "partners.Partner", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    cost = MoneyField(_("inventory value"), default=Decimal("0"))
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
        verbose_name = _("purchase return")
        verbose_name_plural = _("purchase returns")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="purchasereturn_number_unique")]

    def __str__(self) -> str:
        return self.number


class PurchaseReturnLine(OrgScoped):
    purchase_return = models.ForeignKey(PurchaseReturn, on_delete=models.PROTECT, related_name="lines")
    receipt_line = models.ForeignKey(ReceiptLine, on_delete=models.PROTECT, related_name="return_lines")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "inventory.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))
    cost = MoneyField(_("inventory value"))

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="returnline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.purchase_return_id}/{self.pk}"
