from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suanpan.core.documents import Document
from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField, PriceField, QuantityField
from suanpan.core.validators import validate_phone
from suanpan.inventory.choices import MoveKind, StocktakeStatus, TransferStatus


class Warehouse(OrgScoped):
    """A warehouse or a store (门店) that holds stock."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    is_store = models.BooleanField(_("store"), default=False, help_text=_("A shop that sells to walk-in customers."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="warehouse_code_unique")]

    def __str__(self) -> str:
        return self.name


class Lot(OrgScoped):
    """A batch (批次) of a batch-tracked product, with its production and expiry dates."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("lot number"), max_length=60)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["expiry_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "product", "number"], name="lot_number_unique"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(production_date__isnull=True)
                | Q(expiry_date__gte=models.F("production_date")),
                name="lot_expiry_after_production",
                violation_error_message=_("The expiry date cannot be before the production date."),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class StockMove(OrgScoped):
    """One line of the stock ledger: append-only, never edited or deleted (reversed by an opposite move).

    `quantity` is signed (+ in, − out); `value` is signed like it. Incoming moves carry their own cost; outgoing
    moves take the cost pool's average when they post (moving average, `cost_final` true at once) or are valued
    by the month-end costing run (monthly average: `cost_final` false until the month closes — the only columns
    a database trigger lets change afterwards are `unit_cost`, `value` and `cost_final`, and only while
    `cost_final` is false).
    """

    date = models.DateField(_("date"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MoveKind.choices)
    quantity = QuantityField(_("quantity"))
    unit_cost = PriceField(_("unit cost"), default=Decimal("0"))
    value = MoneyField(_("value"), default=Decimal("0"))
    cost_final = models.BooleanField(_("cost final"), default=True)
    source_type = models.CharField(_("source document type"), max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(_("source document"), null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero")]
        indexes = [
            models.Index(fields=["organization", "product", "warehouse", "date"], name="stockmove_item_date_idx"),
            models.Index(fields=["organization", "date"], name="stockmove_date_idx"),
            models.Index(fields=["organization", "source_type", "source_id"], name="stockmove_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.product_id}@{self.warehouse_id} {self.quantity}"


class StockLevel(OrgScoped):
    """What one warehouse holds of one product: on hand, reserved for confirmed orders, and its value (the cost
    pool). Updated under a row lock in the transaction that writes the moves; rebuildable from them."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    on_hand = QuantityField(_("on hand"), default=Decimal("0"))
    reserved = QuantityField(_("reserved"), default=Decimal("0"))
    value = MoneyField(_("value"), default=Decimal("0"))
    last_move_date = models.DateField(_("last move"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stocklevel_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"

    @property
    def available(self) -> Decimal:
        result: Decimal = self.on_hand - self.reserved
        return result


class LotStock(OrgScoped):
    """On-hand quantity of one lot of a product in one warehouse (batch-tracked products only)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="stocks")
    on_hand = QuantityField(_("on hand"), default=Decimal("0"))

    class Meta:
        verbose_name = _("lot stock")
        verbose_name_plural = _("lot stocks")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse", "lot"], name="lotstock_unique")]

    def __str__(self) -> str:
        return f"{self.lot_id}@{self.warehouse_id}: {self.on_hand}"


class StockRule(OrgScoped):
    """Reorder levels of one product in one warehouse (the product's default min/max applies where none is set)."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    min_stock = QuantityField(_("minimum stock"), default=Decimal("0"))
    max_stock = QuantityField(_("maximum stock"), default=Decimal("0"))

    class Meta:
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stockrule_unique"),
            models.CheckConstraint(
                condition=Q(min_stock__gte=0) & Q(max_stock__gte=models.F("min_stock")),
                name="stockrule_min_max",
                violation_error_message=_("The maximum must be at least the minimum, and neither negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.min_stock}–{self.max_stock}"


class CostingRun(OrgScoped):
    """A month-end costing run (全月一次加权平均) of one month: when it ran, by whom, and the voucher it posted.
    Re-running replaces the costs of the month's provisional moves and reverses the previous run's voucher."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    ran_at = models.DateTimeField(_("ran at"))
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    voucher = models.ForeignKey(
        "accounting.Voucher",
        verbose_name=_("voucher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moves_costed = models.PositiveIntegerField(_("moves costed"), default=0)
    total_value = MoneyField(_("value of the month's issues"), default=Decimal("0"))

    class Meta:
        verbose_name = _("costing run")
        verbose_name_plural = _("costing runs")
        ordering = ["-year", "-month", "-ran_at"]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} @ {self.ran_at:%Y-%m-%d %H:%M}"


# Transfers (调拨) -------------------------------------------------------------------------------------------


class Transfer(Document):
    """Goods moved from one warehouse/store to another of the same organization: shipped (out of the source, in
    transit), then received (into the destination at exactly the value that left). No voucher for the move
    itself (one inventory account, 1405); a shortage on receipt is written off through 待处理财产损溢."""

    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("from warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("to warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loss_voucher = models.ForeignKey(
        "accounting.Voucher",
        verbose_name=_("shortage voucher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")),
                name="transfer_warehouses_differ",
                violation_error_message=_("A transfer goes to another warehouse."),
            ),
            models.CheckConstraint(condition=Q(status__in=TransferStatus.values), name="transfer_status_valid"),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft transfer #%(pk)s") % {"pk": self.pk}


class TransferLine(OrgScoped):
    """One product (and lot) of a transfer. `shipped_value` is what left the source (set when shipped);
    `received_quantity` what arrived (set when received); `loss_value` the written-off part of a shortage."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    shipped_value = MoneyField(_("value shipped"), default=Decimal("0"))
    received_quantity = QuantityField(_("quantity received"), null=True, blank=True)
    received_value = MoneyField(_("value received"), default=Decimal("0"))
    loss_value = MoneyField(_("shortage value"), default=Decimal("0"))

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        ordering = ["transfer", "seq", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transferline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | (Q(received_quantity__gte=0) & Q(received_quantity__lte=models.F("quantity"))),
                name="transferline_received_within_shipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}/{self.seq}"

    @property
    def short_quantity(self) -> Decimal:
        if self.received_quantity is None:
            return Decimal("0")
        result: Decimal = self.quantity - self.received_quantity
        return result


# Stocktakes (盘点) -------------------------------------------------------------------------------------------


class Stocktake(Document):
    """A count of one warehouse (optionally one category). Starting it freezes the book quantity of every
    product/lot there (the count sheet); posting it writes the differences as gain/loss moves and a voucher
    through 待处理财产损溢 (190101)."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    frozen_at = models.DateTimeField(_("book quantities frozen at"))
    frozen_move_id = models.PositiveBigIntegerField(_("last stock move at the freeze"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    voucher = models.ForeignKey(
        "accounting.Voucher",
        verbose_name=_("voucher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StocktakeStatus.values), name="stocktake_status_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class StocktakeLine(OrgScoped):
    """One product (and lot) of the count sheet: the book quantity frozen at the start, the counted quantity,
    and — once posted — the moves since the freeze, the difference and its value."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    book_quantity = QuantityField(_("book quantity"), default=Decimal("0"))
    counted_quantity = QuantityField(_("counted quantity"), null=True, blank=True)
    moved_since = QuantityField(_("moved since the freeze"), default=Decimal("0"))
    difference = QuantityField(_("difference"), default=Decimal("0"))
    value = MoneyField(_("value of the difference"), default=Decimal("0"))

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["stocktake", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="stocktakeline_counted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake_id}/{self.product_id}"
