"""Sales: price lists, sales orders with stock reservations, deliveries (出库) with logistics, sales returns,
invoices and credit notes (数电发票 fields).

Invariants (checked by `suanpan verify`):
- each confirmed order line's `reserved_quantity` is what it still holds of the warehouse's stock, and for every
  product × warehouse Σ `reserved_quantity` of the lines of confirmed/partially delivered orders =
  `StockLevel.reserved`;
- an order line's `delivered_quantity` = Σ its delivery lines, `returned_quantity` = Σ the return lines against
  those, `invoiced_quantity` = Σ its invoice lines (credit notes count negative); likewise on delivery lines;
- document totals = Σ lines.
Deliveries, returns and invoices post when made (stock moves, vouchers, open items in one transaction) and
never change afterwards, except a delivery's logistics fields (carrier, tracking number, shipped/signed dates).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField, PriceField, QuantityField
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind, InvoiceType, OrderStatus, Progress


class PriceList(OrgScoped):
    """A price list for a customer group (customers carrying `tag`; no tag = every customer), valid between two
    dates. The best match wins: a customer's group list before the general one, then the higher priority."""

    name = models.CharField(_("name"), max_length=100)
    tag = models.ForeignKey(
        "partners.Tag",
        verbose_name=_("customer group (tag)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="pricelist_name_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(OrgScoped):
    """The unit price (excl. VAT) of a product from `min_quantity` up (quantity breaks)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    min_quantity = QuantityField(_("from quantity"), default=Decimal("0"))
    unit_price = PriceField(_("unit price excl. VAT"))

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["product_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_quantity"], name="pricelistitem_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="pricelistitem_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="pricelistitem_min_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id}≥{self.min_quantity}"


class SalesOrder(OrgScoped):
    number = models.CharField(_("number"), max_length=40, blank=True)
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("order date"))
    expected_date = models.DateField(_("delivery date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    invoice_progress = models.CharField(_("invoicing"), max_length=10, choices=Progress.choices, default=Progress.NONE)
    payment_progress = models.CharField(_("payment"), max_length=10, choices=Progress.choices, default=Progress.NONE)
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discount_rate = models.DecimalField(_("order discount"), max_digits=5, decimal_places=4, default=Decimal("0"))
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    credit_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credit approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "date"], name="so_status_idx"),
            models.Index(fields=["organization", "customer", "date"], name="so_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0) & Q(discount_rate__lt=1), name="so_discount_in_range"
            ),
        ]

    def __str__(self) -> str:
        # its own context: purchasing's "Draft order" reads 采购订单草稿
        return self.number or pgettext_lazy("sales order", "Draft order #%(id)s") % {"id": self.pk}


class SalesOrderLine(OrgScoped):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    list_price = PriceField(_("list price excl. VAT"), default=Decimal("0"))
    discount_rate = models.DecimalField(_("discount"), max_digits=5, decimal_places=4, default=Decimal("0"))
    unit_price = PriceField(_("unit price excl. VAT"))  # after the line's and the order's discount
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))
    reserved_quantity = QuantityField(_("reserved"), default=Decimal("0"))
    delivered_quantity = QuantityField(_("delivered"), default=Decimal("0"))
    returned_quantity = QuantityField(_("returned"), default=Decimal("0"))
    invoiced_quantity = QuantityField(_("invoiced"), default=Decimal("0"))

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="soline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="soline_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0) & Q(discount_rate__lt=1), name="soline_discount_in_range"
            ),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="soline_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=models.F("quantity")),
                name="soline_delivered_within_ordered",
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("delivered_quantity")),
                name="soline_returned_within_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.seq}"

    @property
    def open_quantity(self) -> Decimal:
        """Still to deliver."""
        result: Decimal = self.quantity - self.delivered_quantity
        return result


class Delivery(OrgScoped):
    """销售出库: goods leaving a warehouse against confirmed orders of one customer, posted when made (stock moves at
    cost, releasing the reservations, the cost-of-goods voucher under moving average). Logistics fields change
    afterwards; marking it signed for schedules the receivable reminder."""

    number = models.CharField(_("number"), max_length=40)
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))  # at the orders' prices
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    cost = MoneyField(_("cost of goods"), default=Decimal("0"))
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipped_date = models.DateField(_("shipped date"), null=True, blank=True)
    signed_date = models.DateField(_("signed-for date"), null=True, blank=True)
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
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
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="delivery_number_unique")]
        indexes = [models.Index(fields=["organization", "customer", "date"], name="delivery_customer_idx")]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(OrgScoped):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
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
    cost = MoneyField(_("cost of goods"))  # −(the stock move's value) at posting; the costing run may revalue it
    move = models.ForeignKey(
        "inventory.StockMove", verbose_name=_("stock move"), on_delete=models.PROTECT, related_name="+"
    )
    returned_quantity = QuantityField(_("returned"), default=Decimal("0"))
    invoiced_quantity = QuantityField(_("invoiced"), default=Decimal("0"))

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deliveryline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("quantity")),
                name="deliveryline_returned_within_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.pk}"


class SalesReturn(OrgScoped):
    """销售退货: goods back into stock against a delivery, at the cost they left with (reversing the cost of goods);
    a credit note (red invoice) reduces the receivable when the delivery was invoiced."""

    number = models.CharField(_("number"), max_length=40)
    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    cost = MoneyField(_("cost of goods"), default=Decimal("0"))
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
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="salesreturn_number_unique")]

    def __str__(self) -> str:
        return self.number


class SalesReturnLine(OrgScoped):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.PROTECT, related_name="lines")
    delivery_line = models.ForeignKey(DeliveryLine, on_delete=models.PROTECT, related_name="return_lines")
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
    cost = MoneyField(_("cost of goods"))
    move = models.ForeignKey(
        "inventory.StockMove", verbose_name=_("stock move"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sales return line")
        verbose_name_plural = _("sales return lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="salesreturnline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.sales_return_id}/{self.pk}"


class Invoice(OrgScoped):
    """销售发票 (invoice) or 红字发票 (credit note, negative amounts), posted when made: revenue + output VAT against a
    receivable open item due after the customer's payment terms. The 数电发票 fields are filled for finance, who
    issues it at the tax bureau's platform and records the 20-digit invoice number back here."""

    number = models.CharField(_("number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    invoice_type = models.CharField(
        _("invoice type"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.NORMAL
    )
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"))
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    original = models.ForeignKey(
        "self",
        verbose_name=_("original invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    sales_return = models.ForeignKey(
        SalesReturn,
        verbose_name=_("sales return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    # 数电发票 (buyer as printed; copied from the customer when the invoice is made)
    buyer_name = models.CharField(_("buyer name"), max_length=300)
    buyer_tax_id = models.CharField(_("buyer tax ID"), max_length=20, blank=True)
    buyer_address_phone = models.CharField(_("buyer address and phone"), max_length=300, blank=True)
    buyer_bank_account = models.CharField(_("buyer bank and account"), max_length=300, blank=True)
    buyer_is_person = models.BooleanField(_("buyer is a natural person"), default=False)
    remarks = models.CharField(_("remarks (备注)"), max_length=450, blank=True)
    einvoice_number = models.CharField(_("e-invoice number"), max_length=20, blank=True)
    einvoice_status = models.CharField(
        _("e-invoice status"), max_length=20, choices=EInvoiceStatus.choices, default=EInvoiceStatus.NOT_ISSUED
    )
    red_confirmation_number = models.CharField(_("red-letter confirmation number"), max_length=20, blank=True)
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
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="invoice_number_unique")]
        indexes = [models.Index(fields=["organization", "customer", "date"], name="invoice_customer_idx")]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(OrgScoped):
    """One line of an invoice: from a delivery line (goods) or an order line (services, invoiced without a
    delivery). Quantities and amounts are negative on a credit note."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    delivery_line = models.ForeignKey(
        DeliveryLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("item name"), max_length=200)  # 项目名称, e.g. *纸制品*A4复印纸
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    tax_code = models.CharField(_("tax classification code"), max_length=19, blank=True)  # 税收分类编码
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price excl. VAT"))
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="invoiceline_quantity_not_zero")]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.pk}"
