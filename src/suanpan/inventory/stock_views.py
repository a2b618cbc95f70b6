"""Stock pages: balances, a product's stock ledger, goods in transit, lots, transfers and stocktakes.

Thin views: parse the request, call one selector or service (the same the API calls), render. A refused
operation comes back to the document's page with its message; another organization's row is a 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Category, Product
from suanpan.core.audit import audit_history
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.ui import EXPORT_LIMIT, OrgView, redirect
from suanpan.inventory import selectors, stocktakes, transfers
from suanpan.inventory.choices import TRANSFER_FLOW, StocktakeStatus, TransferStatus
from suanpan.inventory.models import Lot, Warehouse

LINE_ROWS = 6  # empty line rows on the new-transfer form


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _date(value: object, field: str = "date", default: datetime.date | None = None) -> datetime.date:
    text = str(value or "").strip()
    if not text and default is not None:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.single(field, _("Enter a valid date.")) from None


def _optional_date(value: object, field: str, errors: list[FieldError]) -> datetime.date | None:
    if not str(value or "").strip():
        return None
    try:
        return _date(value, field)
    except InvalidInput as exc:
        errors += exc.errors
        return None


def _report(request: HttpRequest, exc: DomainError) -> None:
    for err in exc.errors:
        messages.error(request, err.message)


class StockPage(OrgView):
    """Shared context: the organization's warehouses and stocked products for filter bars."""

    def choices(self) -> dict[str, Any]:
        return {
            "warehouses": Warehouse.objects.filter(organization=self.organization).order_by("code"),
            "products": Product.objects.filter(organization=self.organization, is_stocked=True).order_by("code"),
        }


# Balances, ledger, in transit -------------------------------------------------------------------------------


class StockBalanceView(StockPage):
    """Stock on hand by warehouse (and by lot), with value; filters and Excel export."""

    permission = P.VIEW_STOCK_REPORTS

    def get(self, request: HttpRequest) -> HttpResponse:
        warehouse, product, q = _int(request.GET.get("warehouse")), _int(request.GET.get("product")), ""
        q = str(request.GET.get("q") or "").strip()[:100].replace("\x00", "")
        by_lot = request.GET.get("by") == "lot"
        if by_lot:
            lots = selectors.lot_stock_list(organization=self.organization, warehouse=warehouse, product=product, q=q)
            headers = [_("Warehouse"), _("Code"), _("Product"), _("Lot"), _("Expiry date"), _("Unit"), _("On hand")]
            rows = [
                [
                    r.warehouse.name,
                    r.product.code,
                    r.product.name,
                    r.lot.number,
                    r.lot.expiry_date,
                    r.product.unit.name,
                    r.on_hand,
                ]
                for r in lots[:EXPORT_LIMIT]
            ]
            total_value = None
        else:
            levels = selectors.stock_level_list(
                organization=self.organization, warehouse=warehouse, product=product, q=q
            )
            headers = [
                _("Warehouse"),
                _("Code"),
                _("Product"),
                _("Unit"),
                _("On hand"),
                _("Reserved"),
                _("Available"),
                _("Value"),
            ]
            rows = [
                [
                    r.warehouse.name,
                    r.product.code,
                    r.product.name,
                    r.product.unit.name,
                    r.on_hand,
                    r.reserved,
                    r.available,
                    r.value,
                ]
                for r in levels[:EXPORT_LIMIT]
            ]
            total_value = sum((r[7] for r in rows), Decimal("0"))
        title = _("Stock balance")
        if request.GET.get("export") == "xlsx":
            return xlsx_response("stock-balance", workbook_bytes(title, headers, rows))
        return render(
            request,
            "inventory/stock_balance.html",
            {
                "title": title,
                "headers": headers,
                "rows": rows,
                "numeric": set(range(4, len(headers))) if not by_lot else {6},
                "quantities": {4, 5, 6} if not by_lot else {6},
                "by_lot": by_lot,
                "total_value": total_value,
                "in_transit": selectors.in_transit_value(organization=self.organization),
                "params": {"warehouse": warehouse, "product": product, "q": q},
                **self.choices(),
            },
        )


class StockLedgerView(StockPage):
    """One product's stock moves with the running quantity and value, each linked to its source document."""

    permission = P.VIEW_STOCK_REPORTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = get_scoped(Product, organization=self.organization, pk=pk)
        errors: list[FieldError] = []
        start = _optional_date(request.GET.get("start"), "start", errors)
        end = _optional_date(request.GET.get("end"), "end", errors)
        warehouse = _int(request.GET.get("warehouse"))
        opening_q, opening_v, rows = selectors.product_stock_ledger(
            organization=self.organization, product=product, warehouse=warehouse, start=start, end=end
        )
        if request.GET.get("export") == "xlsx":
            headers = [_("Date"), _("Warehouse"), _("Lot"), _("Kind"), _("Source"), _("Quantity"), _("Unit cost")]
            headers += [_("Value"), _("Balance quantity"), _("Balance value")]
            table = [
                [
                    r.move.date,
                    r.move.warehouse.name,
                    r.move.lot.number if r.move.lot else "",
                    r.move.get_kind_display(),
                    r.move.source_label,
                    r.move.quantity,
                    r.move.unit_cost,
                    r.move.value,
                    r.balance_quantity,
                    r.balance_value,
                ]
                for r in rows
            ]
            return xlsx_response(f"stock-ledger-{product.code}", workbook_bytes(str(product), headers, table))
        return render(
            request,
            "inventory/stock_ledger.html",
            {
                "title": _("Stock ledger: %(p)s") % {"p": product},
                "product": product,
                "opening_quantity": opening_q,
                "opening_value": opening_v,
                "rows": [(r, source_url(r.move.source_type, r.move.source_id)) for r in rows],
                "errors": errors,
                "params": {"warehouse": warehouse, "start": start, "end": end},
                **self.choices(),
            },
            status=422 if errors else 200,
        )


SOURCE_PAGES: dict[str, str] = {
    "inventory.transfer": "inventory:transfer_detail",
    "inventory.stocktake": "inventory:stocktake_detail",
    "purchasing.receipt": "purchasing:receipt_detail",
    "purchasing.return": "purchasing:return_detail",
}


def source_url(source_type: str, source_id: int | None) -> str:
    """The page of a move's source document, where the app that owns it has one."""
    name = SOURCE_PAGES.get(source_type)
    if name is None or source_id is None:
        return ""
    try:
        return reverse(name, args=[source_id])
    except Exception:  # a page of an app that is not wired: no link rather than a 500
        return ""


class InTransitView(StockPage):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest) -> HttpResponse:
        warehouse = _int(request.GET.get("warehouse"))
        lines = list(selectors.in_transit_lines(organization=self.organization, warehouse=warehouse))
        return render(
            request,
            "inventory/in_transit.html",
            {
                "title": _("Goods in transit"),
                "lines": lines,
                "total": sum((line.shipped_value for line in lines), Decimal("0")),
                "params": {"warehouse": warehouse},
                **self.choices(),
            },
        )


class ProductStockPanelView(OrgView):
    """The stock panel of a product page (loaded by HTMX): on hand, reserved, available, incoming per warehouse."""

    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = get_scoped(Product, organization=self.organization, pk=pk)
        rows = selectors.product_stock_by_warehouse(organization=self.organization, product=product)
        return render(
            request,
            "inventory/partials/product_stock.html",
            {
                "product": product,
                "rows": rows,
                "total": {
                    "on_hand": sum((r.on_hand for r in rows), Decimal("0")),
                    "reserved": sum((r.reserved for r in rows), Decimal("0")),
                    "available": sum((r.available for r in rows), Decimal("0")),
                    "in_transit": sum((r.in_transit for r in rows), Decimal("0")),
                },
                "can_see_ledger": self.can(P.VIEW_STOCK_REPORTS),
            },
        )


# Lots ---------------------------------------------------------------------------------------------------------


class LotListView(StockPage):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest) -> HttpResponse:
        product = _int(request.GET.get("product"))
        q = str(request.GET.get("q") or "").strip()[:100].replace("\x00", "")
        lots = list(selectors.lot_list(organization=self.organization, product=product, q=q)[:500])
        on_hand = selectors.lot_on_hand(organization=self.organization, lots=lots)
        return render(
            request,
            "inventory/lot_list.html",
            {
                "title": _("Lots"),
                "lots": [(lot, on_hand[lot.pk]) for lot in lots],
                "today": timezone.localdate(),
                "params": {"product": product, "q": q},
                **self.choices(),
            },
        )


class LotDetailView(OrgView):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        lot = selectors.lot_get(organization=self.organization, pk=pk)
        stocks = selectors.lot_stock_by_warehouse(organization=self.organization, lot=lot)
        return render(
            request,
            "inventory/lot_detail.html",
            {
                "lot": lot,
                "stocks": stocks,
                "total": sum((s.on_hand for s in stocks), Decimal("0")),
                "can_see_ledger": self.can(P.VIEW_STOCK_REPORTS),
            },
        )


# Transfers ----------------------------------------------------------------------------------------------------


def transfer_lines_from(data: Mapping[str, Any], rows: int) -> list[dict[str, Any]]:
    """The filled line rows of the transfer form (product_N, lot_N, quantity_N)."""
    lines = []
    for n in range(1, rows + 1):
        product, lot, quantity = (str(data.get(f"{k}_{n}") or "").strip() for k in ("product", "lot", "quantity"))
        if product or quantity:
            lines.append({"product": product or None, "lot": lot or None, "quantity": quantity})
    return lines


class TransferListView(StockPage):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest) -> HttpResponse:
        status = str(request.GET.get("status") or "")
        status = status if status in TransferStatus.values else ""
        warehouse = _int(request.GET.get("warehouse"))
        q = str(request.GET.get("q") or "").strip()[:100].replace("\x00", "")
        rows = selectors.transfer_list(organization=self.organization, status=status, warehouse=warehouse, q=q)
        return render(
            request,
            "inventory/transfer_list.html",
            {
                "title": _("Transfers"),
                "transfers": rows[:500],
                "statuses": TransferStatus.choices,
                "params": {"status": status, "warehouse": warehouse, "q": q},
                "can_move": self.can(P.MOVE_STOCK),
                **self.choices(),
            },
        )


class TransferCreateView(StockPage):
    permission = P.MOVE_STOCK

    def context(self, data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {
            "title": _("New transfer"),
            "data": data,
            "errors": errors,
            "field_errors": {e.field: e.message for e in errors if e.field},
            "line_rows": range(1, LINE_ROWS + 1),
            "lots": Lot.objects.filter(organization=self.organization).select_related("product").order_by("number"),
            "today": timezone.localdate(),
            **self.choices(),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/transfer_form.html", self.context({}, []))

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        try:
            transfer = transfers.transfer_create(
                organization=self.organization,
                actor=request.user,
                date=_date(data.get("date"), default=timezone.localdate()),
                from_warehouse=_int(data.get("from_warehouse")),
                to_warehouse=_int(data.get("to_warehouse")),
                lines=transfer_lines_from(data, LINE_ROWS),
                notes=str(data.get("notes") or "")[:2000],
            )
        except InvalidInput as exc:
            return render(request, "inventory/transfer_form.html", self.context(data, exc.errors), status=422)
        messages.success(request, _("Transfer saved as a draft."))
        return redirect(request, reverse("inventory:transfer_detail", args=[transfer.pk]))


class TransferDetailView(OrgView):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        transfer = selectors.transfer_get(organization=self.organization, pk=pk)
        lines = list(transfer.lines.select_related("product__unit", "lot").order_by("seq", "id"))
        return render(
            request,
            "inventory/transfer_detail.html",
            {
                "transfer": transfer,
                "lines": lines,
                "today": timezone.localdate(),
                "can_move": self.can(P.MOVE_STOCK),
                "next": TRANSFER_FLOW.targets(transfer.status),
                "moves": selectors.document_moves(
                    organization=self.organization, source_type=transfers.SOURCE_TYPE, source_id=transfer.pk
                ),
                "history": audit_history(organization=self.organization, obj=transfer)[:50],
            },
        )


def _transfer_action(view: OrgView, request: HttpRequest, pk: int, action: str) -> None:
    org, actor = view.organization, request.user
    if action == "ship":
        transfers.transfer_ship(
            organization=org,
            actor=actor,
            transfer_id=pk,
            date=_date(request.POST.get("date"), default=timezone.localdate()),
        )
        messages.success(request, _("Shipped: the goods are in transit."))
    elif action == "receive":
        received = {
            line_id: request.POST[key]
            for key in request.POST
            if key.startswith("received_") and (line_id := _int(key.removeprefix("received_"))) is not None
        }
        transfers.transfer_receive(
            organization=org,
            actor=actor,
            transfer_id=pk,
            date=_date(request.POST.get("date"), default=timezone.localdate()),
            received=received,
        )
        messages.success(request, _("Received."))
    else:
        transfers.transfer_cancel(organization=org, actor=actor, transfer_id=pk)
        messages.success(request, _("Transfer cancelled."))


class TransferActionView(OrgView):
    permission = P.MOVE_STOCK
    actions: ClassVar[tuple[str, ...]] = ("ship", "receive", "cancel")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        selectors.transfer_get(organization=self.organization, pk=pk)  # another organization's: 404
        if action not in self.actions:
            return HttpResponse(status=404)
        try:
            _transfer_action(self, request, pk, action)
        except (NotFound, PermissionRefused):
            raise
        except DomainError as exc:
            _report(request, exc)
        return redirect(request, reverse("inventory:transfer_detail", args=[pk]))


# Stocktakes ---------------------------------------------------------------------------------------------------


class StocktakeListView(StockPage):
    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest) -> HttpResponse:
        status = str(request.GET.get("status") or "")
        status = status if status in StocktakeStatus.values else ""
        warehouse = _int(request.GET.get("warehouse"))
        rows = selectors.stocktake_list(organization=self.organization, status=status, warehouse=warehouse)
        return render(
            request,
            "inventory/stocktake_list.html",
            {
                "title": _("Stocktakes"),
                "stocktakes": rows[:500],
                "statuses": StocktakeStatus.choices,
                "params": {"status": status, "warehouse": warehouse},
                "can_count": self.can(P.COUNT_STOCK),
                **self.choices(),
            },
        )


class StocktakeCreateView(StockPage):
    permission = P.COUNT_STOCK

    def context(self, data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {
            "title": _("New stocktake"),
            "data": data,
            "errors": errors,
            "field_errors": {e.field: e.message for e in errors if e.field},
            "categories": Category.objects.filter(organization=self.organization).order_by("code"),
            "today": timezone.localdate(),
            **self.choices(),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/stocktake_form.html", self.context({}, []))

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        try:
            stocktake = stocktakes.stocktake_start(
                organization=self.organization,
                actor=request.user,
                warehouse=_int(data.get("warehouse")),
                category=_int(data.get("category")),
                date=_date(data.get("date"), default=timezone.localdate()),
                notes=str(data.get("notes") or "")[:2000],
            )
        except InvalidInput as exc:
            return render(request, "inventory/stocktake_form.html", self.context(data, exc.errors), status=422)
        messages.success(request, _("Stocktake started: the book quantities are frozen."))
        return redirect(request, reverse("inventory:stocktake_detail", args=[stocktake.pk]))


class StocktakeDetailView(StockPage):
    permission = P.VIEW_WAREHOUSE
    template_name: ClassVar[str] = "inventory/stocktake_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        stocktake = selectors.stocktake_get(organization=self.organization, pk=pk)
        lines = list(stocktake.lines.select_related("product__unit", "lot").order_by("product__code", "id"))
        return render(
            request,
            self.template_name,
            {
                "stocktake": stocktake,
                "lines": lines,
                "today": timezone.localdate(),
                "can_count": self.can(P.COUNT_STOCK),
                "can_approve": self.can(P.APPROVE_STOCKTAKE),
                "counting": stocktake.status == StocktakeStatus.COUNTING,
                "lots": Lot.objects.filter(organization=self.organization).select_related("product").order_by("number"),
                "history": audit_history(organization=self.organization, obj=stocktake)[:50],
                **self.choices(),
            },
        )


class StocktakePrintView(StocktakeDetailView):
    """The count sheet to print (the browser's print; no buttons, room to write)."""

    template_name = "inventory/stocktake_print.html"


class StocktakeSheetView(OrgView):
    """The count sheet as Excel: fill column G (counted quantity) and import it back."""

    permission = P.VIEW_WAREHOUSE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        stocktake = selectors.stocktake_get(organization=self.organization, pk=pk)
        headers = [
            _("ID"),
            _("Code"),
            _("Product"),
            _("Lot"),
            _("Unit"),
            _("Book quantity"),
            _("Counted quantity"),
        ]
        rows = stocktakes.count_sheet_rows(stocktake)
        return xlsx_response(f"count-sheet-{stocktake.number}", workbook_bytes(stocktake.number, headers, rows))


def _counts_from(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    counts: list[dict[str, Any]] = [
        {"line": line_id, "counted": str(data[key]).strip()}
        for key in data
        if key.startswith("counted_") and (line_id := _int(key.removeprefix("counted_"))) is not None
    ]
    product = str(data.get("new_product") or "").strip()
    if product:
        counts.append(
            {
                "product": product,
                "lot": str(data.get("new_lot") or "").strip() or None,
                "counted": str(data.get("new_counted") or "").strip(),
            }
        )
    return counts


STOCKTAKE_ACTIONS: dict[str, tuple[str, Callable[..., Any], str | Any]] = {
    "submit": (P.COUNT_STOCK, stocktakes.stocktake_submit, gettext_lazy("Submitted for approval.")),
    "reopen": (P.COUNT_STOCK, stocktakes.stocktake_reopen, gettext_lazy("Back to counting.")),
    "approve": (P.APPROVE_STOCKTAKE, stocktakes.stocktake_approve, gettext_lazy("Approved.")),
    "cancel": (P.COUNT_STOCK, stocktakes.stocktake_cancel, gettext_lazy("Stocktake cancelled.")),
}


class StocktakeActionView(OrgView):
    """POST counts (on screen or an Excel file), or a transition: submit, reopen, approve, post, cancel."""

    permission = P.COUNT_STOCK  # approve/post: the service checks inventory.approve_stocktake
    actions: ClassVar[tuple[str, ...]] = ("counts", "import", "post", *STOCKTAKE_ACTIONS)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Approving and posting is not the counter's: the page needs either permission, the service the right one.
        if kwargs.get("action") in ("approve", "post"):
            self.permission = P.APPROVE_STOCKTAKE  # type: ignore[misc]
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        selectors.stocktake_get(organization=self.organization, pk=pk)  # another organization's: 404
        if action not in self.actions:
            return HttpResponse(status=404)
        org, actor = self.organization, request.user
        try:
            if action == "counts":
                stocktakes.stocktake_count(
                    organization=org, actor=actor, stocktake_id=pk, counts=_counts_from(request.POST)
                )
                messages.success(request, _("Counts saved."))
            elif action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise InvalidInput.single("file", _("Choose the filled-in count sheet (.xlsx)."))
                stocktakes.stocktake_import_counts(
                    organization=org, actor=actor, stocktake_id=pk, content=upload.read()
                )
                messages.success(request, _("Counts imported."))
            elif action == "post":
                date = _date(request.POST.get("date"), default=timezone.localdate())
                stocktakes.stocktake_post(organization=org, actor=actor, stocktake_id=pk, date=date)
                messages.success(request, _("Posted: the differences are in the stock ledger and the books."))
            else:
                _perm, service, done = STOCKTAKE_ACTIONS[action]
                service(organization=org, actor=actor, stocktake_id=pk)
                messages.success(request, str(done))
        except (NotFound, PermissionRefused):
            raise
        except DomainError as exc:
            _report(request, exc)
        return redirect(request, reverse("inventory:stocktake_detail", args=[pk]))
