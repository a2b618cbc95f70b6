"""Stocktakes (盘点): count one warehouse (optionally one category and its sub-categories), post the differences.

Flow: start (the count sheet: the book quantity of every product — every lot of a batch-tracked product — with
stock there is frozen, with the id of the last stock move at that moment) → enter counts (on screen, through
the API, or by filling the sheet's Excel export and importing it) → submit → approve (inventory.approve_stocktake:
the owner or finance, not the person counting) → post.

Moves posted after the freeze (a delivery while counting): the count is taken to be what is on the shelf when
the stocktake posts, so the difference is `counted − (frozen book quantity + Σ moves of that product/lot in that
warehouse since the freeze)`; the moves since the freeze are kept on the line (`moved_since`). A line whose
product was not on the sheet (found on the shelf) may be added while counting; its frozen quantity is what the
ledger held at the freeze.

Posting writes one STOCKTAKE_GAIN (+) or STOCKTAKE_LOSS (−) move per line with a difference, both at the pool's
average cost (a gain in an empty pool at the last known cost), and one voucher: gains Dr 1405 库存商品 / Cr 190101
待处理财产损溢, losses Dr 190101 / Cr 1405 (cleared later, when the cause is known, to 营业外收入 / 管理费用 /
营业外支出 or a person at fault). A stocktake posts once: a second post is refused and writes nothing.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from suanpan.accounting import closing
from suanpan.accounting.models import Period
from suanpan.accounting.services import document_voucher_post
from suanpan.catalog.models import Category, Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.inventory import locks
from suanpan.inventory.choices import STOCKTAKE_FLOW, MoveKind, StocktakeStatus
from suanpan.inventory.models import LotStock, StockLevel, StockMove, Stocktake, StocktakeLine, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import normalize, stock_post
from suanpan.inventory.transfers import check_date, check_product_lot, parse_quantity, scoped_ref
from suanpan.inventory.vouchers import INVENTORY_ACCOUNT, PENDING_LOSS_ACCOUNT, entry

SOURCE_TYPE = "inventory.stocktake"
NUMBER_SERIES = "inventory.stocktake"
NUMBER_PREFIX = "PD"
SHEET_HEADERS = ("ID", "Code", "Product", "Lot", "Unit", "Book quantity", "Counted quantity")


def category_and_below(organization: Organization, category: Category) -> set[int]:
    """The ids of a category and all its sub-categories."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.filter(organization=organization).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo += children.get(pk, [])
    return found


def _transition(organization: Organization, actor: Actor | None, stocktake: Stocktake, dst: str, **extra: Any) -> None:
    src = stocktake.status
    STOCKTAKE_FLOW.check(src, dst)
    stocktake.status = dst
    stocktake.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=stocktake,
        action=AuditAction.STATE,
        changes={"status": [src, dst], **extra},
    )


def stocktake_start(
    *,
    organization: Organization,
    actor: Actor | None,
    warehouse: object,
    date: datetime.date,
    category: object = None,
    notes: str = "",
) -> Stocktake:
    """Start a count: freeze the book quantities of the warehouse (the count sheet) and take the number."""
    with transaction.atomic():
        guard(organization, actor, P.COUNT_STOCK)
        errors: list[FieldError] = []
        place = group = None
        try:
            place = scoped_ref(Warehouse, organization, warehouse, "warehouse")
        except InvalidInput as exc:
            errors += exc.errors
        if category not in (None, ""):
            try:
                group = scoped_ref(Category, organization, category, "category")
            except InvalidInput as exc:
                errors += exc.errors
        try:
            date = check_date(date)
        except InvalidInput as exc:
            errors += exc.errors
        if errors:
            raise InvalidInput(errors)
        if place is None:  # pragma: no cover - errors above
            raise InvalidInput.single("warehouse", _("This field is required."))
        levels = StockLevel.objects.filter(organization=organization, warehouse=place, product__is_stocked=True)
        if group is not None:
            levels = levels.filter(product__category_id__in=category_and_below(organization, group))
        # Lock the warehouse's stock levels while the book is read: no move posts half-way through the freeze.
        locked = locks.lock_levels(organization, levels.values_list("product_id", "warehouse_id"))
        frozen_move = StockMove.objects.filter(organization=organization).aggregate(m=Max("id"))["m"] or 0
        products = {p.pk: p for p in Product.objects.filter(pk__in={k[0] for k in locked})}
        lots = {
            (row.product_id, row.lot_id): row.on_hand
            for row in LotStock.objects.filter(organization=organization, warehouse=place, product_id__in=products)
            .exclude(on_hand=0)
            .select_related("lot")
        }
        stocktake = Stocktake.objects.create(
            organization=organization,
            date=date,
            status=StocktakeStatus.COUNTING,
            warehouse=place,
            category=group,
            frozen_at=timezone.now(),
            frozen_move_id=frozen_move,
            notes=(notes or "").strip(),
            number=next_number(organization=organization, series=NUMBER_SERIES, prefix=NUMBER_PREFIX, on=date),
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        lines = []
        for (product_id, _warehouse_id), level in sorted(locked.items(), key=lambda kv: products[kv[0][0]].code):
            product = products[product_id]
            if product.is_batch_tracked:
                lines += [
                    StocktakeLine(
                        organization=organization, stocktake=stocktake, product=product, lot_id=lot_id, book_quantity=q
                    )
                    for (p, lot_id), q in sorted(lots.items(), key=lambda kv: kv[0][1] or 0)
                    if p == product_id
                ]
            elif level.on_hand != 0:
                lines.append(
                    StocktakeLine(
                        organization=organization, stocktake=stocktake, product=product, book_quantity=level.on_hand
                    )
                )
        StocktakeLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=stocktake,
            action=AuditAction.CREATE,
            changes={"warehouse": str(place), "category": str(group or ""), "lines": len(lines)},
        )
        return stocktake


def _moved_since(stocktake: Stocktake, product_id: int, lot_id: int | None) -> Decimal:
    moves = StockMove.objects.filter(
        organization_id=stocktake.organization_id,
        warehouse_id=stocktake.warehouse_id,
        product_id=product_id,
        id__gt=stocktake.frozen_move_id,
    )
    moves = moves.filter(lot_id=lot_id) if lot_id is not None else moves.filter(lot__isnull=True)
    quantities = moves.values_list("quantity", flat=True)
    return sum(quantities, ZERO)  # in Python: SQLite's SUM is floating point


def _frozen_quantity(stocktake: Stocktake, product_id: int, lot_id: int | None) -> Decimal:
    """What the ledger held of a product/lot in the warehouse at the freeze (now − moves since)."""
    if lot_id is not None:
        row = LotStock.objects.filter(warehouse_id=stocktake.warehouse_id, product_id=product_id, lot_id=lot_id).first()
        now = row.on_hand if row is not None else ZERO
    else:
        level = StockLevel.objects.filter(warehouse_id=stocktake.warehouse_id, product_id=product_id).first()
        now = level.on_hand if level is not None else ZERO
    return now - _moved_since(stocktake, product_id, lot_id)


def stocktake_count(
    *, organization: Organization, actor: Actor | None, stocktake_id: object, counts: Sequence[Mapping[str, Any]]
) -> Stocktake:
    """Enter counted quantities. Each row: `line` (an id on the sheet) and `counted`, or `product` (+ `lot`) and
    `counted` for goods found that are not on the sheet; `counted` empty clears a count."""
    with transaction.atomic():
        guard(organization, actor, P.COUNT_STOCK)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        if stocktake.status != StocktakeStatus.COUNTING:
            raise DomainError(_("Counts are entered while the stocktake is counting."), field="status")
        lines = {line.pk: line for line in stocktake.lines.select_related("product")}
        by_item = {(line.product_id, line.lot_id): line for line in lines.values()}
        allowed = category_and_below(organization, stocktake.category) if stocktake.category else None
        errors: list[FieldError] = []
        changed: dict[int, StocktakeLine] = {}
        added: list[StocktakeLine] = []
        for n, row in enumerate(counts, start=1):
            where = f"counts.{n}"
            try:
                raw = row.get("counted")
                counted = None if raw in (None, "") else parse_quantity(raw, f"{where}.counted", allow_zero=True)
                if row.get("line") not in (None, ""):
                    line_id = row["line"]
                    line = lines.get(line_id) if isinstance(line_id, int) else None
                    if line is None and isinstance(line_id, str) and line_id.isdigit():
                        line = lines.get(int(line_id))
                    if line is None:
                        raise InvalidInput.single(f"{where}.line", _("No such line on this count sheet."))
                else:
                    product: Product = scoped_ref(Product, organization, row.get("product"), f"{where}.product")
                    if allowed is not None and product.category_id not in allowed:
                        raise InvalidInput.single(
                            f"{where}.product", _("%(p)s is not in this stocktake's category.") % {"p": product}
                        )
                    lot = check_product_lot(organization, product, row.get("lot"), where)
                    key = (product.pk, lot.pk if lot else None)
                    line = by_item.get(key)
                    if line is None:
                        line = StocktakeLine(
                            organization=organization,
                            stocktake=stocktake,
                            product=product,
                            lot=lot,
                            book_quantity=_frozen_quantity(stocktake, *key),
                        )
                        by_item[key] = line
                        added.append(line)
            except InvalidInput as exc:
                errors += exc.errors
                continue
            line.counted_quantity = counted
            if line.pk:
                changed[line.pk] = line
        if errors:
            raise InvalidInput(errors)
        for line in changed.values():
            line.save(update_fields=["counted_quantity", "updated_at"])
        StocktakeLine.objects.bulk_create(added)
        audit_record(
            organization=organization,
            actor=actor,
            obj=stocktake,
            action=AuditAction.UPDATE,
            changes={"counted lines": ["", str(len(changed) + len(added))], "lines added": ["", str(len(added))]},
        )
        return stocktake


def count_sheet_rows(stocktake: Stocktake) -> list[list[Any]]:
    """The count sheet as Excel rows (SHEET_HEADERS): counted quantity blank until counted."""
    return [
        [
            line.pk,
            line.product.code,
            line.product.name,
            line.lot.number if line.lot else "",
            line.product.unit.name,
            line.book_quantity,
            line.counted_quantity if line.counted_quantity is not None else "",
        ]
        for line in stocktake.lines.select_related("product__unit", "lot").order_by("product__code", "id")
    ]


def stocktake_import_counts(
    *, organization: Organization, actor: Actor | None, stocktake_id: object, content: bytes
) -> Stocktake:
    """Read counted quantities from a filled-in count sheet (the Excel export): column A the line id, column G
    the counted quantity; rows with an empty count are skipped."""
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(min_row=2, max_col=len(SHEET_HEADERS), values_only=True))
    except Exception:  # any unreadable upload is the same input error
        raise InvalidInput.single("file", _("This is not a count sheet exported from Suanpan (.xlsx).")) from None
    counts = []
    errors = []
    for number, row in enumerate(rows, start=2):
        if not row or row[0] in (None, ""):
            continue
        counted = row[6] if len(row) > 6 else None
        if counted in (None, ""):
            continue
        if isinstance(counted, float):
            counted = format(counted, ".4f")  # Excel stores numbers as floats; 4 places is a quantity's precision
        if not isinstance(row[0], int):
            errors.append(FieldError("file", _("Row %(n)d: the ID column must be the line id.") % {"n": number}))
            continue
        counts.append(
            {"line": row[0], "counted": counted if isinstance(counted, Decimal | int | str) else str(counted)}
        )
    if errors:
        raise InvalidInput(errors)
    if not counts:
        raise InvalidInput.single("file", _("The sheet has no counted quantities."))
    return stocktake_count(organization=organization, actor=actor, stocktake_id=stocktake_id, counts=counts)


def stocktake_submit(*, organization: Organization, actor: Actor | None, stocktake_id: object) -> Stocktake:
    """Hand the counts in for approval. Every line must be counted (count 0 for what is not there)."""
    with transaction.atomic():
        guard(organization, actor, P.COUNT_STOCK)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        STOCKTAKE_FLOW.check(stocktake.status, StocktakeStatus.SUBMITTED)
        missing = list(stocktake.lines.filter(counted_quantity__isnull=True).select_related("product", "lot")[:5])
        if missing:
            names = ", ".join(f"{line.product}{' ' + line.lot.number if line.lot else ''}" for line in missing)
            raise DomainError(
                _("Not counted yet: %(names)s. Enter 0 for what is not there.") % {"names": names}, field="counts"
            )
        _transition(organization, actor, stocktake, StocktakeStatus.SUBMITTED)
        return stocktake


def stocktake_reopen(*, organization: Organization, actor: Actor | None, stocktake_id: object) -> Stocktake:
    """Send a submitted stocktake back to counting (a recount)."""
    with transaction.atomic():
        guard(organization, actor, P.COUNT_STOCK)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        _transition(organization, actor, stocktake, StocktakeStatus.COUNTING)
        return stocktake


def stocktake_approve(*, organization: Organization, actor: Actor | None, stocktake_id: object) -> Stocktake:
    with transaction.atomic():
        guard(organization, actor, P.APPROVE_STOCKTAKE)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        STOCKTAKE_FLOW.check(stocktake.status, StocktakeStatus.APPROVED)
        stocktake.approved_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        _transition(organization, actor, stocktake, StocktakeStatus.APPROVED)
        return stocktake


def stocktake_post(
    *, organization: Organization, actor: Actor | None, stocktake_id: object, date: datetime.date
) -> Stocktake:
    """Post the differences of an approved stocktake: gain/loss moves and the 190101 voucher, once."""
    with transaction.atomic():
        guard(organization, actor, P.APPROVE_STOCKTAKE)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        if stocktake.status == StocktakeStatus.POSTED:
            raise DomainError(
                _("Stocktake %(n)s is already posted; it posts once.") % {"n": stocktake.number},
                field="status",
                code="already_posted",
            )
        STOCKTAKE_FLOW.check(stocktake.status, StocktakeStatus.POSTED)
        date = check_date(date)
        if date < stocktake.date:
            raise InvalidInput.single(
                "date", _("A stocktake posts on or after its date (%(d)s).") % {"d": stocktake.date}
            )
        lines = list(stocktake.lines.select_related("product").order_by("id"))
        locks.lock_levels(organization, [(line.product_id, stocktake.warehouse_id) for line in lines])
        specs: list[MoveSpec] = []
        moved: list[StocktakeLine] = []
        for line in lines:
            line.moved_since = _moved_since(stocktake, line.product_id, line.lot_id)
            counted = line.counted_quantity if line.counted_quantity is not None else ZERO
            line.difference = counted - (line.book_quantity + line.moved_since)
            if line.difference:
                kind = MoveKind.STOCKTAKE_GAIN if line.difference > 0 else MoveKind.STOCKTAKE_LOSS
                specs.append(MoveSpec(line.product_id, stocktake.warehouse_id, line.difference, kind, line.lot_id))
                moved.append(line)
        if specs:
            moves = stock_post(
                organization=organization,
                actor=actor,
                date=date,
                moves=specs,
                source_type=SOURCE_TYPE,
                source_id=stocktake.pk,
                source_label=stocktake.number,
            )
            for line, move in zip(moved, moves, strict=True):
                line.value = move.value
        for line in lines:
            line.save(update_fields=["moved_since", "difference", "value", "updated_at"])
        gains = sum((line.value for line in lines if line.value > 0), ZERO)
        losses = -sum((line.value for line in lines if line.value < 0), ZERO)
        rows: list[dict[str, object]] = []
        if gains:
            rows += entry(
                organization,
                _("Stocktake %(n)s: gains") % {"n": stocktake.number},
                INVENTORY_ACCOUNT,
                PENDING_LOSS_ACCOUNT,
                gains,
            )
        if losses:
            rows += entry(
                organization,
                _("Stocktake %(n)s: losses") % {"n": stocktake.number},
                PENDING_LOSS_ACCOUNT,
                INVENTORY_ACCOUNT,
                losses,
            )
        if rows:
            stocktake.voucher = document_voucher_post(
                organization=organization,
                actor=actor,
                date=date,
                lines=rows,
                source_type=SOURCE_TYPE,
                source_id=stocktake.pk,
                source_label=stocktake.number,
                reviewed_by=f"stocktake approval {stocktake.number}",
            )
        stocktake.posted_on = date
        _transition(
            organization,
            actor,
            stocktake,
            StocktakeStatus.POSTED,
            gains=str(gains),
            losses=str(losses),
            lines=[f"{line.product_id}/{line.lot_id or ''}: {normalize(line.difference)}" for line in moved],
        )
        return stocktake


def stocktake_cancel(*, organization: Organization, actor: Actor | None, stocktake_id: object) -> Stocktake:
    with transaction.atomic():
        guard(organization, actor, P.COUNT_STOCK)
        stocktake = locks.lock_stocktake(organization, stocktake_id)
        _transition(organization, actor, stocktake, StocktakeStatus.CANCELLED)
        return stocktake


# Month-end close -----------------------------------------------------------------------------------------------


@closing.register_close_check
def check_no_open_stocktakes(*, organization: Organization, period: Period) -> closing.CheckResult | None:
    """A stocktake dated in the period must be posted or cancelled before it closes: its gains and losses belong
    to that month's books. (Goods in transit at month end are normal and do not stop a close.)"""
    open_ones = list(
        Stocktake.objects.filter(
            organization=organization,
            date__gte=period.start,
            date__lte=period.end,
            status__in=(StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED, StocktakeStatus.APPROVED),
        ).order_by("date", "id")
    )
    if not Stocktake.objects.filter(organization=organization, date__gte=period.start, date__lte=period.end).exists():
        return None
    label = _("Stocktakes of the period posted")
    if not open_ones:
        return closing.CheckResult("open_stocktakes", label, ok=True)
    return closing.CheckResult(
        "open_stocktakes",
        label,
        ok=False,
        message=_("%(n)d stocktake(s) dated in the period are not posted: post or cancel them.")
        % {"n": len(open_ones)},
        links=tuple(closing.Link(s.number, "inventory:stocktake_detail", (s.pk,)) for s in open_ones[:50]),
    )
