"""Opening stock (期初库存): what an organization holds on the day its books start, entered once when it switches
to Suanpan, and its tie-out with the opening balance of 1405 库存商品.

Rules, stated and tested (`tests/test_opening.py`):
- opening stock is entered in batches: one call of `opening_stock_post` (one form, one API request or one Excel
  file) is one batch, numbered QC0001, QC0002 … by `core.numbering` (series `inventory.opening_stock`, gapless).
  Each row becomes one `OPENING` stock move through `services.stock_post`, dated the day before the books' first
  period (`accounting.Books.start`), with the source (`SOURCE_TYPE`, batch number). Books without a start yet
  are refused: the date of the opening stock is not known;
- a row: a stocked product and a warehouse of the organization, a quantity > 0 (at most 4 places), and either
  a unit cost ≥ 0 (at most 6 places; value = quantity × unit cost, half up to 0.01) or an amount ≥ 0 (at most
  2 places; unit cost = amount / quantity) — not both. A batch-tracked product needs a lot number (production
  and expiry dates optional, expiry not before production; a lot already recorded must agree with the dates
  given). Every row is checked before anything is written; errors name `rows.N.<field>` (N from 1) and then
  nothing is written — not even a lot;
- opening stock is entered only while the opening balances are not accepted. The books row is locked first,
  as `accounting.opening.opening_balances_accept` does, so the two never interleave. Once accepted, a stock
  difference is a stocktake and a value difference a voucher, as for any running business;
- the stock ledger is append-only: a wrong batch is never edited or deleted. `opening_stock_reverse` writes, for
  each of its moves, the opposite move (same date, product, warehouse, lot, quantity and value, negated) with
  source (`REVERSAL_SOURCE_TYPE`, batch number), then the rows are entered again. Like entering, reversing is
  allowed only before acceptance, once per batch, and only while no later move of the same product in the same
  warehouse exists (`stock_post` never dates a move before an item's last one; goods already received or
  issued after the opening are corrected by a stocktake instead);
- tie-out: Σ value of the `OPENING` moves (reversals included, so reversed batches count zero) = the opening
  balance of 1405 (with its sub-accounts). `opening_stock_accept_check`, registered with
  `accounting.opening.register_accept_check`, refuses the acceptance of the opening balances when they differ —
  but only when the organization has some batch that is not reversed: an organization that keeps no stock
  ledger (yet) accepts its balances as before. It also refuses when a live batch is not dated the day before
  the books' start (the start was moved after the batch was entered: reverse it and enter it again).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting.models import Books, OpeningBalance
from suanpan.catalog.models import Product
from suanpan.core import importing as im
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import Membership, Organization
from suanpan.core.money import ZERO, money
from suanpan.core.numbering import next_value
from suanpan.core.permissions import P, has_perm
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, StockLevel, StockMove, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post
from suanpan.inventory.transfers import parse_quantity
from suanpan.inventory.vouchers import INVENTORY_ACCOUNT

SOURCE_TYPE = "inventory.opening_stock"
REVERSAL_SOURCE_TYPE = "inventory.opening_stock_reversal"
NUMBER_SERIES = "inventory.opening_stock"
NUMBER_PREFIX = "QC"
# Either permission lets a member enter opening stock: the warehouse keeper knows the quantities (MOVE_STOCK),
# the accountant sets up the books it ties out with (MANAGE_ACCOUNTS). Viewing needs VIEW_STOCK_REPORTS.
ENTER_PERMISSIONS = (P.MOVE_STOCK, P.MANAGE_ACCOUNTS)
VIEW_PERMISSION = P.VIEW_STOCK_REPORTS
MAX_ROWS = 2000
MAX_UNIT_COST = Decimal("1e12")  # PriceField: 18 digits, 6 of them places
MAX_AMOUNT = Decimal("1e16")  # MoneyField: 18 digits, 2 of them places
ROW_FIELDS = (
    "product",
    "warehouse",
    "quantity",
    "unit_cost",
    "amount",
    "lot_number",
    "production_date",
    "expiry_date",
)


def label(number: int) -> str:
    return f"{NUMBER_PREFIX}{number:04d}"


# Permission -------------------------------------------------------------------------------------------------


def may_enter(membership: Membership | None) -> bool:
    """Whether a member may enter and reverse opening stock (warehouse keeper or accountant, owner, admin)."""
    return any(has_perm(membership, perm) for perm in ENTER_PERMISSIONS)


def _guard(organization: Organization, actor: Actor | None) -> None:
    if actor is None:
        return
    membership = check_perm(organization=organization, actor=actor, perm="")
    if not may_enter(membership):
        raise PermissionRefused(
            _("You do not have permission to do this (%(perm)s).") % {"perm": " / ".join(ENTER_PERMISSIONS)}
        )


# The books: where opening stock is dated, and whether it may still change ---------------------------------------


def _books(organization: Organization, *, lock: bool) -> Books:
    qs = Books.objects.filter(organization=organization).select_related("start")
    if lock:
        qs = qs.select_for_update(of=("self",))
    books = qs.first()
    if books is None or books.start is None:
        raise DomainError(
            _(
                "The books have no start yet: set their first period in the books settings first. "
                "Opening stock is dated the day before the books start."
            ),
            field="books",
            code="no_books",
        )
    return books


def opening_date(*, organization: Organization) -> datetime.date | None:
    """The date opening stock carries: the day before the books' first period (None while they have no start)."""
    books = Books.objects.filter(organization=organization).select_related("start").first()
    if books is None or books.start is None:
        return None
    return books.start.start - datetime.timedelta(days=1)


def _refuse_if_accepted(books: Books) -> None:
    if books.opening_accepted:
        raise DomainError(
            _(
                "The opening balances are accepted: opening stock no longer changes. "
                "Correct quantities with a stocktake and values with a voucher."
            ),
            field="opening_accepted",
            code="accepted",
        )


# Input --------------------------------------------------------------------------------------------------------


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _decimal(value: object, where: str, places: int, limit: Decimal) -> Decimal | None:
    """A number ≥ 0 with at most `places` decimals (text, int or Decimal; never float); blank → None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidInput.single(where, _("Enter a number."))
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput.single(where, _("Enter a number.")) from None
    if not result.is_finite():
        raise InvalidInput.single(where, _("Enter a number."))
    if result < 0:
        raise InvalidInput.single(where, _("Enter zero or more."))
    if _places(result) > places:
        raise InvalidInput.single(where, _("At most %(n)d decimal places.") % {"n": places})
    if result >= limit:
        raise InvalidInput.single(where, _("The number is too large."))
    return result


def _date(value: object, where: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(re.sub(r"[/.年月]", "-", value.strip()).rstrip("日"))
        except ValueError:
            pass
    raise InvalidInput.single(where, _("Enter a valid date (YYYY-MM-DD)."))


def _ref(model: type[Any], organization: Organization, value: object, where: str, missing: str, unknown: str) -> Any:
    """A row of the organization given as an instance or an id; `missing` / `unknown` are the messages."""
    if value is None or value == "":
        raise InvalidInput.single(where, missing)
    if isinstance(value, model):
        if value.organization_id != organization.pk:
            raise InvalidInput.single(where, unknown)
        return value
    text = str(value).strip()
    found = (
        model._default_manager.filter(organization=organization, pk=int(text)).first()
        if text.isdigit() and len(text) < 19
        else None
    )
    if found is None:
        raise InvalidInput.single(where, unknown)
    return found


@dataclass
class _Row:
    n: int
    product: Product
    warehouse: Warehouse
    quantity: Decimal
    unit_cost: Decimal | None
    amount: Decimal | None
    lot_number: str
    production_date: datetime.date | None
    expiry_date: datetime.date | None


def _parse_row(organization: Organization, n: int, raw: Mapping[str, Any]) -> tuple[_Row | None, list[FieldError]]:
    where = f"rows.{n}"
    errors: list[FieldError] = []

    def take(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    unknown = sorted(set(raw) - set(ROW_FIELDS))
    if unknown:
        errors.append(FieldError(f"{where}.{unknown[0]}", _("Unknown field.")))
    product: Product | None = take(
        _ref,
        Product,
        organization,
        raw.get("product"),
        f"{where}.product",
        _("Choose the product."),
        _("No such product."),
    )
    warehouse = take(
        _ref,
        Warehouse,
        organization,
        raw.get("warehouse"),
        f"{where}.warehouse",
        _("Choose the warehouse."),
        _("No such warehouse."),
    )
    quantity = take(parse_quantity, raw.get("quantity"), f"{where}.quantity")
    unit_cost = take(_decimal, raw.get("unit_cost"), f"{where}.unit_cost", 6, MAX_UNIT_COST)
    amount = take(_decimal, raw.get("amount"), f"{where}.amount", 2, MAX_AMOUNT)
    production = take(_date, raw.get("production_date"), f"{where}.production_date")
    expiry = take(_date, raw.get("expiry_date"), f"{where}.expiry_date")
    lot_number = str(raw.get("lot_number") or "").strip()
    given_cost = raw.get("unit_cost") not in (None, "")
    given_amount = raw.get("amount") not in (None, "")
    if given_cost and given_amount:
        errors.append(FieldError(f"{where}.amount", _("Give the unit cost or the amount, not both.")))
    elif not given_cost and not given_amount:
        errors.append(FieldError(f"{where}.unit_cost", _("Give the unit cost or the amount.")))
    if product is not None:
        if not product.is_stocked:
            errors.append(FieldError(f"{where}.product", _("%(p)s is a service; it has no stock.") % {"p": product}))
        elif product.is_batch_tracked and not lot_number:
            errors.append(
                FieldError(f"{where}.lot_number", _("%(p)s is batch-tracked: give the lot number.") % {"p": product})
            )
        elif not product.is_batch_tracked and (lot_number or production or expiry):
            bad = "lot_number" if lot_number else ("production_date" if production else "expiry_date")
            errors.append(FieldError(f"{where}.{bad}", _("%(p)s is not batch-tracked: no lot.") % {"p": product}))
    if len(lot_number) > 60:
        errors.append(FieldError(f"{where}.lot_number", _("At most 60 characters.")))
    if production and expiry and expiry < production:
        errors.append(FieldError(f"{where}.expiry_date", _("The expiry date cannot be before the production date.")))
    if warehouse is not None and not warehouse.is_active:
        errors.append(FieldError(f"{where}.warehouse", _("%(w)s is not active.") % {"w": warehouse}))
    if errors or product is None or warehouse is None or quantity is None:
        return None, errors
    return _Row(n, product, warehouse, quantity, unit_cost, amount, lot_number, production, expiry), []


def _parse_rows(organization: Organization, rows: Sequence[Mapping[str, Any]]) -> list[_Row]:
    if not rows:
        raise InvalidInput.single("rows", _("Enter at least one row."))
    if len(rows) > MAX_ROWS:
        raise InvalidInput.single("rows", _("At most %(n)d rows at once.") % {"n": MAX_ROWS})
    parsed: list[_Row] = []
    errors: list[FieldError] = []
    lots: dict[tuple[int, str], tuple[int, datetime.date | None, datetime.date | None]] = {}
    for n, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            errors.append(FieldError(f"rows.{n}", _("Each row is an object with a product, a warehouse and amounts.")))
            continue
        row, row_errors = _parse_row(organization, n, raw)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.lot_number:  # the same lot twice in one batch must carry the same dates
            key = (row.product.pk, row.lot_number)
            first = lots.setdefault(key, (n, row.production_date, row.expiry_date))
            for index, name in ((1, "production_date"), (2, "expiry_date")):
                mine, theirs = getattr(row, name), first[index]
                if mine and theirs and mine != theirs:
                    errors.append(
                        FieldError(
                            f"rows.{n}.{name}",
                            _("Row %(a)d gives lot %(lot)s another date.") % {"a": first[0], "lot": row.lot_number},
                        )
                    )
        parsed.append(row)
    errors.extend(_check_existing_lots(organization, parsed))
    if errors:
        raise InvalidInput(errors)
    return parsed


def _check_existing_lots(organization: Organization, rows: Sequence[_Row]) -> list[FieldError]:
    wanted = {(r.product.pk, r.lot_number) for r in rows if r.lot_number}
    if not wanted:
        return []
    existing = {
        (lot.product_id, lot.number): lot
        for lot in Lot.objects.filter(
            organization=organization,
            product_id__in={p for p, _n in wanted},
            number__in={n for _p, n in wanted},
        )
    }
    errors = []
    for row in rows:
        lot = existing.get((row.product.pk, row.lot_number))
        if lot is None:
            continue
        for name in ("production_date", "expiry_date"):
            given, recorded = getattr(row, name), getattr(lot, name)
            if given and recorded and given != recorded:
                errors.append(
                    FieldError(
                        f"rows.{row.n}.{name}",
                        _("Lot %(lot)s of %(p)s is already recorded with %(field)s %(d)s.")
                        % {"lot": lot.number, "p": row.product, "field": name.replace("_", " "), "d": recorded},
                    )
                )
    return errors


def _lot(organization: Organization, row: _Row) -> Lot | None:
    if not row.lot_number:
        return None
    lot, created = Lot.objects.get_or_create(
        organization=organization,
        product=row.product,
        number=row.lot_number,
        defaults={"production_date": row.production_date, "expiry_date": row.expiry_date},
    )
    if not created and (
        (row.production_date and not lot.production_date) or (row.expiry_date and not lot.expiry_date)
    ):  # a lot recorded without its dates learns them
        lot.production_date = lot.production_date or row.production_date
        lot.expiry_date = lot.expiry_date or row.expiry_date
        lot.save(update_fields=["production_date", "expiry_date", "updated_at"])
    return lot


# Services ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """One entry of opening stock (its moves), and its reversal if any."""

    number: int
    date: datetime.date
    rows: int
    quantity: Decimal
    value: Decimal
    entered_at: datetime.datetime
    entered_by: str
    reversed_on: datetime.datetime | None = None
    moves: tuple[StockMove, ...] = field(default=(), compare=False, repr=False)

    @property
    def label(self) -> str:
        return label(self.number)

    @property
    def reversed(self) -> bool:
        return self.reversed_on is not None


def opening_stock_post(*, organization: Organization, actor: Actor | None, rows: Sequence[Mapping[str, Any]]) -> Batch:
    """Enter opening stock: one batch of rows, all or none (see the module docstring for the rules).

    A row: `product` (id), `warehouse` (id), `quantity`, `unit_cost` or `amount`, and for a batch-tracked product
    `lot_number` with optional `production_date`, `expiry_date`. Returns the batch.
    """
    with transaction.atomic():
        _guard(organization, actor)
        books = _books(organization, lock=True)
        _refuse_if_accepted(books)
        parsed = _parse_rows(organization, rows)
        assert books.start is not None  # noqa: S101 - `_books` refuses books without a start
        date = books.start.start - datetime.timedelta(days=1)
        number = next_value(organization=organization, series=NUMBER_SERIES)
        specs = [
            MoveSpec(
                product_id=row.product.pk,
                warehouse_id=row.warehouse.pk,
                quantity=row.quantity,
                kind=MoveKind.OPENING,
                lot_id=lot.pk if (lot := _lot(organization, row)) is not None else None,
                unit_cost=row.unit_cost,
                value=row.amount,
            )
            for row in parsed
        ]
        try:
            moves = stock_post(
                organization=organization,
                actor=actor,
                date=date,
                moves=specs,
                source_type=SOURCE_TYPE,
                source_id=number,
                source_label=label(number),
            )
        except DomainError as exc:
            raise _rows_error(exc, parsed) from None
        total = sum((m.value for m in moves), ZERO)
        audit_record(
            organization=organization,
            actor=actor,
            obj=books,
            action=AuditAction.UPDATE,
            changes={"opening_stock": label(number), "rows": len(moves), "value": str(total), "date": str(date)},
        )
        return opening_stock_batch(organization=organization, number=number)


def _rows_error(exc: DomainError, rows: Sequence[_Row]) -> DomainError:
    """A refusal of `stock_post` (named `moves[i].…` or `date`) as the row it is about."""
    match = re.match(r"^moves\[(\d+)\]\.(\w+)$", exc.field or "")
    if match is not None and int(match.group(1)) < len(rows):
        name = {"lot": "lot_number"}.get(match.group(2), match.group(2))
        return InvalidInput.single(f"rows.{rows[int(match.group(1))].n}.{name}", exc.message)
    if exc.field == "date":  # an item already moved after the opening date
        return InvalidInput.single("rows", exc.message)
    return exc


def opening_stock_reverse(*, organization: Organization, actor: Actor | None, number: object) -> Batch:
    """Reverse one batch of opening stock with opposite moves (see the module docstring); returns the batch."""
    with transaction.atomic():
        _guard(organization, actor)
        try:
            batch_number = int(str(number))
        except ValueError:
            raise NotFound(_("No such opening stock entry.")) from None
        moves = list(
            StockMove.objects.filter(organization=organization, source_type=SOURCE_TYPE, source_id=batch_number)
            .select_related("product")
            .order_by("id")
        )
        if not moves:  # a number of this organization's batches only: another organization's is not found
            raise NotFound(_("No such opening stock entry."))
        books = _books(organization, lock=True)
        _refuse_if_accepted(books)
        if StockMove.objects.filter(
            organization=organization, source_type=REVERSAL_SOURCE_TYPE, source_id=batch_number
        ).exists():
            raise DomainError(
                _("Opening stock %(n)s is already reversed.") % {"n": label(batch_number)}, field="number"
            )
        date = moves[0].date
        later = (
            StockLevel.objects.filter(
                organization=organization,
                product_id__in={m.product_id for m in moves},
                warehouse_id__in={m.warehouse_id for m in moves},
                last_move_date__gt=date,
            )
            .select_related("product", "warehouse")
            .order_by("pk")
        )
        pairs = {(m.product_id, m.warehouse_id) for m in moves}
        moved = [level for level in later if (level.product_id, level.warehouse_id) in pairs]
        if moved:
            level = moved[0]
            raise DomainError(
                _(
                    "%(p)s has moved in %(w)s since the opening (last on %(d)s): the opening stock can no longer be "
                    "reversed. Correct the quantity with a stocktake."
                )
                % {"p": level.product, "w": level.warehouse, "d": level.last_move_date},
                field="number",
            )
        stock_post(
            organization=organization,
            actor=actor,
            date=date,
            moves=[
                MoveSpec(
                    product_id=m.product_id,
                    warehouse_id=m.warehouse_id,
                    quantity=-m.quantity,
                    kind=MoveKind.OPENING,
                    lot_id=m.lot_id,
                    value=-m.value,
                )
                for m in moves
            ],
            source_type=REVERSAL_SOURCE_TYPE,
            source_id=batch_number,
            source_label=label(batch_number),
        )
        audit_record(
            organization=organization,
            actor=actor,
            obj=books,
            action=AuditAction.UPDATE,
            changes={"opening_stock_reversed": label(batch_number), "rows": len(moves)},
        )
        return opening_stock_batch(organization=organization, number=batch_number)


# Selectors -----------------------------------------------------------------------------------------------------


def opening_moves(*, organization: Organization) -> QuerySet[StockMove]:
    """Every opening-stock move, entries and reversals, in the order they were written."""
    return (
        StockMove.objects.filter(organization=organization, kind=MoveKind.OPENING)
        .select_related("product", "product__unit", "warehouse", "lot", "created_by")
        .order_by("id")
    )


def _who(move: StockMove) -> str:
    user = move.created_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def opening_stock_batches(*, organization: Organization) -> list[Batch]:
    """The batches entered, newest first, each with its moves (entries only) and whether it was reversed."""
    entered: dict[int, list[StockMove]] = {}
    reversed_on: dict[int, datetime.datetime] = {}
    for move in opening_moves(organization=organization):
        if move.source_id is None:
            continue
        if move.source_type == SOURCE_TYPE:
            entered.setdefault(move.source_id, []).append(move)
        elif move.source_type == REVERSAL_SOURCE_TYPE:
            reversed_on.setdefault(move.source_id, move.created_at)
    return [
        Batch(
            number=number,
            date=moves[0].date,
            rows=len(moves),
            quantity=sum((m.quantity for m in moves), ZERO),
            value=sum((m.value for m in moves), ZERO),
            entered_at=moves[0].created_at,
            entered_by=_who(moves[0]),
            reversed_on=reversed_on.get(number),
            moves=tuple(moves),
        )
        for number, moves in sorted(entered.items(), reverse=True)
    ]


def opening_stock_batch(*, organization: Organization, number: int) -> Batch:
    for batch in opening_stock_batches(organization=organization):
        if batch.number == number:
            return batch
    raise InvalidInput.single("number", _("No such opening stock entry."))


@dataclass(frozen=True)
class TieOut:
    """Σ value of the opening stock vs the opening balance of 1405 (with its sub-accounts)."""

    stock_value: Decimal
    books_value: Decimal
    entered: bool  # some batch is not reversed
    accepted: bool
    date: datetime.date | None

    @property
    def difference(self) -> Decimal:
        return self.stock_value - self.books_value

    @property
    def ok(self) -> bool:
        return not self.entered or self.difference == 0


def inventory_opening_balance(*, organization: Organization) -> Decimal:
    """The opening balance of 1405 库存商品 and its sub-accounts (debit positive)."""
    total = OpeningBalance.objects.filter(
        organization=organization, partner__isnull=True, account__code__startswith=INVENTORY_ACCOUNT
    ).aggregate(s=Sum("balance"))["s"]
    return money(total or ZERO)


def opening_stock_tie_out(*, organization: Organization) -> TieOut:
    stock = StockMove.objects.filter(organization=organization, kind=MoveKind.OPENING).aggregate(s=Sum("value"))["s"]
    live = set(
        StockMove.objects.filter(organization=organization, source_type=SOURCE_TYPE).values_list("source_id", flat=True)
    ) - set(
        StockMove.objects.filter(organization=organization, source_type=REVERSAL_SOURCE_TYPE).values_list(
            "source_id", flat=True
        )
    )
    books = Books.objects.filter(organization=organization).first()
    return TieOut(
        stock_value=money(stock or ZERO),
        books_value=inventory_opening_balance(organization=organization),
        entered=bool(live),
        accepted=books is not None and books.opening_accepted,
        date=opening_date(organization=organization),
    )


def opening_stock_accept_check(*, organization: Organization) -> FieldError | None:
    """Registered with `accounting.opening.register_accept_check` (InventoryConfig.ready)."""
    tie = opening_stock_tie_out(organization=organization)
    if not tie.entered:
        return None
    if tie.difference != 0:
        return FieldError(
            "opening_stock",
            _(
                "The opening stock is worth %(stock)s but the opening balance of %(account)s is %(books)s "
                "(difference %(diff)s). Correct one of them before accepting."
            )
            % {
                "stock": tie.stock_value,
                "account": INVENTORY_ACCOUNT,
                "books": tie.books_value,
                "diff": tie.difference,
            },
        )
    stale = [b for b in opening_stock_batches(organization=organization) if not b.reversed and b.date != tie.date]
    if stale:
        return FieldError(
            "opening_stock",
            _(
                "Opening stock %(n)s is dated %(d)s, but the books now start the day after %(want)s: "
                "reverse it and enter it again."
            )
            % {"n": stale[-1].label, "d": stale[-1].date, "want": tie.date},
        )
    return None


# Excel import ---------------------------------------------------------------------------------------------------


def _date_cell(_ctx: im.Context, raw: str) -> datetime.date | None:
    try:
        return _date(raw, "")
    except InvalidInput:
        raise im.CellError(_("“%(raw)s” is not a date (YYYY-MM-DD).") % {"raw": raw}) from None


COLUMNS = (
    im.Column(
        "product",
        "商品编码",
        im.reference(Product, "code", "barcode"),
        required=True,
        example="A4-70",
        hint=gettext_lazy("Code (or barcode) of a stocked product."),
    ),
    im.Column("name", "商品名称", im.text(200), hint=gettext_lazy("For reading only; the code decides.")),
    im.Column(
        "warehouse",
        "仓库",
        im.reference(Warehouse, "code", "name"),
        required=True,
        example="WH01",
        hint=gettext_lazy("Code or name of the warehouse or store."),
    ),
    im.Column(
        "quantity",
        "数量",
        im.decimal,
        required=True,
        example="120",
        hint=gettext_lazy("On hand at the start of the books, more than zero, at most 4 decimal places."),
    ),
    im.Column(
        "unit_cost",
        "单位成本",
        im.decimal,
        example="113.27",
        hint=gettext_lazy("Cost per unit without VAT, at most 6 decimal places; or give the amount instead."),
    ),
    im.Column(
        "amount",
        "金额",
        im.decimal,
        hint=gettext_lazy("Total cost of the row, at most 2 decimal places; or give the unit cost instead."),
    ),
    im.Column(
        "lot_number",
        "批号",
        im.text(60),
        hint=gettext_lazy("Required for batch-tracked products; blank for the others."),
    ),
    im.Column("production_date", "生产日期", _date_cell, hint=gettext_lazy("Of the lot, YYYY-MM-DD (optional).")),
    im.Column("expiry_date", "有效期至", _date_cell, hint=gettext_lazy("Of the lot, YYYY-MM-DD (optional).")),
)
IMPORTER = im.Importer(
    kind="opening_stock",
    title=gettext_lazy("Opening stock"),
    permission=P.MOVE_STOCK,  # informative only: this importer is not registered; `_guard` decides
    columns=COLUMNS,
    create=lambda organization, actor, data: organization,
)


@dataclass
class ImportResult:
    """What an upload did: the batch entered, or the errors (Excel row, column header, message) and nothing."""

    rows: int
    batch: Batch | None = None
    errors: list[im.RowError] = field(default_factory=list)


def template_workbook() -> bytes:
    return im.template_workbook(IMPORTER)


def opening_stock_import(*, organization: Organization, actor: Actor | None, content: bytes) -> ImportResult:
    """Enter the rows of an Excel file as one batch, all or none.

    A problem with the file as a whole raises InvalidInput on ``file``; problems of rows come back in the result
    (Excel row number, column header, message), with nothing written.
    """
    _guard(organization, actor)
    if len(content) > settings.SUANPAN_MAX_UPLOAD_BYTES:
        raise im.file_error(_("The file is too large; split it into smaller files."))
    sheet = im.read_sheet(content, IMPORTER)
    mapping = im.map_columns(IMPORTER, sheet.headers)
    if not sheet.rows:
        raise im.file_error(_("The file has a header row but no data rows."))
    context = im.Context(organization)
    errors: list[im.RowError] = []
    rows: list[dict[str, Any]] = []
    for number, cells in sheet.rows:
        data: dict[str, Any] = {}
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else ""
            if column.required and not raw:
                errors.append(im.RowError(number, column.header, _("This field is required.")))
                continue
            try:
                value = column.parse(context, raw)
            except im.CellError as exc:
                errors.append(im.RowError(number, column.header, str(exc)))
                continue
            if value is not None and column.key != "name":
                data[column.key] = value
        rows.append(data)
    result = ImportResult(rows=len(rows), errors=errors)
    if errors:
        return result
    try:
        result.batch = opening_stock_post(organization=organization, actor=actor, rows=rows)
    except InvalidInput as exc:
        for error in exc.errors:
            match = re.match(r"^rows\.(\d+)\.?(\w*)$", error.field or "")
            if match is None:
                result.errors.append(im.RowError(0, "", error.message))
                continue
            number = sheet.rows[int(match.group(1)) - 1][0]
            result.errors.append(im.RowError(number, IMPORTER.header_of(match.group(2) or None), error.message))
    return result
