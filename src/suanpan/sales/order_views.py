"""Pages of sales orders and price lists: lists (search, filters, Excel), the order form with live availability and
the customer's credit exposure (HTMX partials), the order page with its actions, the price list form and page.
Thin: parse, call one service or selector, render; the same services as the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError
from suanpan.core.forms import members_of
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.inventory.models import Warehouse
from suanpan.inventory.services import normalize
from suanpan.partners.models import Partner, Tag
from suanpan.sales import order_selectors, orders, pricing
from suanpan.sales.choices import DELIVERABLE_STATES, ORDER_FLOW, OrderStatus
from suanpan.sales.filters import OrderFilter, PriceListFilter
from suanpan.sales.models import PriceList, SalesOrder

BLANK_LINES = 3
MAX_LINES = 500
HUNDRED = Decimal(100)


def _text(value: Decimal) -> str:
    """A quantity or price as people write it: 12, 0.5, 17.1."""
    return normalize(value)


def _percent(rate: Decimal) -> str:
    return _text(rate * HUNDRED) if rate else ""


class LabelColumn(Column):
    """A column showing the row itself (a draft order reads 'Draft order #12' until it has a number)."""

    def raw(self, obj: object) -> Any:
        return str(obj)


class OrderListView(DocumentListView):
    permission = P.VIEW_SALES
    change_permission = P.CHANGE_SALES
    title = gettext_lazy("Sales orders")
    filterset_class = OrderFilter
    create_url = "sales:order_create"
    detail_url = "sales:order_detail"
    export_name = "sales-orders"
    columns = (
        LabelColumn("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("customer", gettext_lazy("Customer"), link=True),
        Column("salesperson", gettext_lazy("Sales rep"), phone_hidden=True),
        Column("warehouse", gettext_lazy("Warehouse"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("status", gettext_lazy("Status")),
        Column("invoice_progress", gettext_lazy("Invoicing"), phone_hidden=True),
        Column("payment_progress", gettext_lazy("Payment"), phone_hidden=True),
    )

    def queryset(self) -> QuerySet[SalesOrder]:
        return order_selectors.order_list(organization=self.organization)


class PriceListListView(DocumentListView):
    permission = P.VIEW_SALES
    change_permission = P.MANAGE_PRICES
    title = gettext_lazy("Price lists")
    filterset_class = PriceListFilter
    default_sort = ""
    create_url = "sales:price_list_create"
    detail_url = "sales:price_list_detail"
    export_name = "price-lists"
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("tag", gettext_lazy("Customer group (tag)")),
        Column("valid_from", gettext_lazy("Valid from"), phone_hidden=True),
        Column("valid_to", gettext_lazy("Valid to"), phone_hidden=True),
        Column("priority", gettext_lazy("Priority"), sort="priority", numeric=True, phone_hidden=True),
        Column("item_count", gettext_lazy("Prices"), numeric=True),
        Column("is_active", gettext_lazy("Active")),
    )

    def queryset(self) -> QuerySet[PriceList]:
        return pricing.price_list_list(organization=self.organization)


# Posted line rows ------------------------------------------------------------------------------------------------


def _line_count(request: HttpRequest) -> int:
    raw = str(request.POST.get("line_count") or "0")
    return min(int(raw), MAX_LINES) if raw.isdigit() else 0


def _posted_rows(request: HttpRequest, keys: Sequence[str]) -> list[dict[str, str]]:
    """Rows `lines-<i>-<key>` of a posted form, in order, blank rows dropped."""
    rows = []
    for i in range(_line_count(request)):
        row = {key: str(request.POST.get(f"lines-{i}-{key}", "")).strip() for key in keys}
        row["_row"] = str(i)
        if any(row[key] for key in keys):
            rows.append(row)
    return rows


def _line_errors(exc: DomainError, rows: Sequence[dict[str, str]], prefix: str) -> tuple[list[str], dict[str, str]]:
    """Split a service's errors: per posted row and field (`<prefix>.<n>.<field>` of the n-th row sent) and the rest."""
    general: list[str] = []
    by_field: dict[str, str] = {}
    for err in exc.errors:
        parts = (err.field or "").split(".")
        if len(parts) >= 3 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]["_row"]
            by_field[f"{row}-{parts[2].removesuffix('_id')}"] = err.message
            general.append(_("Line %(n)s: %(m)s") % {"n": int(row) + 1, "m": err.message})
        else:
            general.append(err.message)
    return general, by_field


def _row_errors(field_errors: dict[str, str], row: str) -> dict[str, str]:
    return {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == row}


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Order form -------------------------------------------------------------------------------------------------------


class OrderHeaderForm(forms.Form):
    customer_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Customer"))
    warehouse_id = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=gettext_lazy("Warehouse"))
    date = forms.DateField(label=gettext_lazy("Order date"), widget=_date_widget())
    expected_date = forms.DateField(label=gettext_lazy("Delivery date"), required=False, widget=_date_widget())
    discount = forms.CharField(
        label=gettext_lazy("Order discount %"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0"}),
    )
    salesperson_id = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label=gettext_lazy("Sales rep"),
        required=False,
        empty_label=gettext_lazy("The customer's owner"),
    )
    contact = forms.CharField(label=gettext_lazy("Contact"), required=False, max_length=100)
    ship_to = forms.CharField(label=gettext_lazy("Ship to"), required=False, max_length=300)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_customer=True, is_active=True
        ).order_by("name")
        self.fields["warehouse_id"].queryset = Warehouse.objects.filter(organization=organization, is_active=True)  # type: ignore[attr-defined]
        rep = self.fields["salesperson_id"]
        rep.queryset = members_of(organization)  # type: ignore[attr-defined]
        rep.label_from_instance = lambda user: str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]
        _styled(self)


LINE_KEYS = ("product", "warehouse", "quantity", "unit_price", "discount")


@dataclass(frozen=True)
class LineInfo:
    """What the form shows beside a line: the warehouse's available quantity and the price the line would get."""

    product: Product
    warehouse: Warehouse
    on_hand: str
    reserved: str
    available: str
    short: str  # how much the typed quantity is beyond what is available ("" when it fits)
    list_price: str
    price_list: PriceList | None


def _id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None


def _quantity(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value or "").strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 < number < Decimal("1E13") else None


def _day(value: object) -> datetime.date | None:
    try:
        return parse_date(str(value or ""))
    except ValueError:
        return None


def line_info(
    organization: Organization,
    *,
    product_id: object,
    warehouse_id: object,
    quantity: object,
    customer_id: object = None,
    day: object = None,
) -> LineInfo | None:
    """The availability and price hint of one line as typed so far (None until a product is chosen)."""
    pid, wid = _id(product_id), _id(warehouse_id)
    if pid is None or wid is None:
        return None
    product = Product.objects.filter(organization=organization, pk=pid).first()
    warehouse = Warehouse.objects.filter(organization=organization, pk=wid).first()
    if product is None or warehouse is None:
        return None
    found = order_selectors.availability(organization=organization, product=product, warehouse=warehouse)
    wanted = _quantity(quantity)
    short = ""
    if product.is_stocked and wanted is not None and wanted > found.available:
        short = _text(wanted - max(found.available, ZERO))
    cid = _id(customer_id)
    customer = Partner.objects.filter(organization=organization, pk=cid, is_customer=True).first() if cid else None
    if customer is not None:
        quoted = pricing.price_for(
            organization, customer, product, wanted or Decimal(1), _day(day) or timezone.localdate()
        )
        list_price, price_list = quoted.unit_price, quoted.price_list
    else:
        list_price, price_list = product.sale_price, None
    return LineInfo(
        product=product,
        warehouse=warehouse,
        on_hand=_text(found.on_hand),
        reserved=_text(found.reserved),
        available=_text(found.available),
        short=short,
        list_price=_text(list_price),
        price_list=price_list,
    )


def _exposure_context(organization: Organization, customer_id: object) -> dict[str, Any]:
    cid = _id(customer_id)
    customer = Partner.objects.filter(organization=organization, pk=cid, is_customer=True).first() if cid else None
    if customer is None:
        return {"customer": None}
    found = orders.customer_exposure(organization, customer)
    return {
        "customer": customer,
        "exposure": found,
        "available_credit": found.limit - found.total if found.limit else None,
        "over_limit": bool(found.limit) and found.total >= found.limit,
    }


def _line_choices(organization: Organization) -> dict[str, Any]:
    return {
        "products": Product.objects.filter(organization=organization, is_active=True)
        .select_related("unit")
        .order_by("code"),
        "warehouses": Warehouse.objects.filter(organization=organization, is_active=True),
    }


class OrderFormView(OrgView):
    permission = P.CHANGE_SALES

    def _order(self, pk: int | None) -> SalesOrder | None:
        if pk is None:
            return None
        return order_selectors.order_get(organization=self.organization, pk=pk)

    def _render(
        self,
        request: HttpRequest,
        order: SalesOrder | None,
        form: OrderHeaderForm,
        rows: list[dict[str, str]],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        blank = dict.fromkeys(LINE_KEYS, "")
        padded = rows + [blank] * (BLANK_LINES if not rows else 1)
        header_warehouse = form["warehouse_id"].value()
        customer = form["customer_id"].value()
        day = form["date"].value()
        lines = [
            {
                **row,
                "i": i,
                "errors": _row_errors(field_errors, str(row.get("_row", i))),
                "info": line_info(
                    self.organization,
                    product_id=row.get("product"),
                    warehouse_id=row.get("warehouse") or header_warehouse,
                    quantity=row.get("quantity"),
                    customer_id=customer,
                    day=day,
                ),
            }
            for i, row in enumerate(padded)
        ]
        context = {
            "order": order,
            "form": form,
            "lines": lines,
            "line_count": len(lines),
            **_line_choices(self.organization),
            "errors": errors,
            "can_see_exposure": self.can(P.VIEW_RECEIVABLE),
            **(_exposure_context(self.organization, customer) if self.can(P.VIEW_RECEIVABLE) else {}),
            "title": _("Edit sales order %(o)s") % {"o": order} if order else _("New sales order"),
            "cancel_url": reverse("sales:order_detail", args=[order.pk]) if order else reverse("sales:order_list"),
        }
        return render(request, "sales/order_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = self._order(pk)
        if order is not None:
            form = OrderHeaderForm(
                initial={
                    "customer_id": order.customer_id,
                    "warehouse_id": order.warehouse_id,
                    "date": order.date,
                    "expected_date": order.expected_date,
                    "discount": _percent(order.discount_rate),
                    "salesperson_id": order.salesperson_id,
                    "contact": order.contact,
                    "ship_to": order.ship_to,
                    "notes": order.notes,
                },
                organization=self.organization,
            )
            rows = [
                {
                    "product": str(ln.product_id),
                    "warehouse": str(ln.warehouse_id) if ln.warehouse_id != order.warehouse_id else "",
                    "quantity": _text(ln.quantity),
                    "unit_price": _text(ln.list_price),
                    "discount": _percent(ln.discount_rate),
                    "_row": str(i),
                }
                for i, ln in enumerate(order.lines.order_by("seq"))
            ]
        else:
            initial: dict[str, Any] = {"date": timezone.localdate()}
            warehouses = Warehouse.objects.filter(organization=self.organization, is_active=True)
            if warehouses.count() == 1:
                initial["warehouse_id"] = warehouses.get().pk
            customer = _id(request.GET.get("customer"))
            if customer is not None:
                initial["customer_id"] = customer
            form = OrderHeaderForm(initial=initial, organization=self.organization)
            rows = []
        return self._render(request, order, form, rows, [], {})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = self._order(pk)
        form = OrderHeaderForm(request.POST, organization=self.organization)
        rows = _posted_rows(request, LINE_KEYS)
        if not form.is_valid():
            return self._render(request, order, form, rows, [], {}, status=422)
        rep = form.cleaned_data["salesperson_id"]
        data = {
            "customer_id": form.cleaned_data["customer_id"].pk,
            "warehouse_id": form.cleaned_data["warehouse_id"].pk,
            "date": form.cleaned_data["date"],
            "expected_date": form.cleaned_data["expected_date"],
            "discount": form.cleaned_data["discount"],
            "salesperson_id": rep.pk if rep else None,
            "contact": form.cleaned_data["contact"],
            "ship_to": form.cleaned_data["ship_to"],
            "notes": form.cleaned_data["notes"],
            "lines": [
                {
                    "product_id": r["product"] or None,
                    "warehouse_id": r["warehouse"] or None,
                    "quantity": r["quantity"],
                    "unit_price": r["unit_price"],
                    "discount": r["discount"],
                }
                for r in rows
            ],
        }
        try:
            if order is None:
                saved = orders.order_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = orders.order_update(
                    organization=self.organization, actor=request.user, order_id=order.pk, data=data
                )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows, "lines")
            for err in exc.errors:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
            return self._render(request, order, form, rows, general, by_field, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("sales:order_detail", args=[saved.pk]))


class OrderLineRowView(OrgView):
    """HTMX: one more blank line for the order form (and the form's new line count, out of band)."""

    permission = P.CHANGE_SALES

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = str(request.GET.get("line_count") or "0")
        i = int(raw) if raw.isdigit() else 0
        if i >= MAX_LINES:
            return HttpResponse(status=204)
        context: dict[str, Any] = {"ln": {**dict.fromkeys(LINE_KEYS, ""), "i": i, "errors": {}, "info": None}}
        context.update(_line_choices(self.organization))
        return render(request, "sales/partials/order_line_row.html", {**context, "new_count": i + 1})


class OrderLineInfoView(OrgView):
    """HTMX: the availability (on hand − reserved in the line's warehouse) and list price of one form line."""

    permission = P.VIEW_SALES

    def get(self, request: HttpRequest) -> HttpResponse:
        row = str(request.GET.get("row") or "0")
        info = line_info(
            self.organization,
            product_id=request.GET.get(f"lines-{row}-product"),
            warehouse_id=request.GET.get(f"lines-{row}-warehouse") or request.GET.get("warehouse_id"),
            quantity=request.GET.get(f"lines-{row}-quantity"),
            customer_id=request.GET.get("customer_id"),
            day=request.GET.get("date"),
        )
        return render(request, "sales/partials/order_line_info.html", {"info": info})


class CustomerExposureView(OrgView):
    """HTMX: the chosen customer's receivable balance, overdue amount and what it has on order, against its limit."""

    permission = P.VIEW_RECEIVABLE

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _exposure_context(self.organization, request.GET.get("customer_id"))
        return render(request, "sales/partials/customer_exposure.html", context)


# Order page and actions -----------------------------------------------------------------------------------------


def _document_links(rows: Iterable[Any], url_name: str) -> list[tuple[Any, str]]:
    """Each document with its page, where that page exists."""
    links = []
    for row in rows:
        try:
            href = reverse(url_name, args=[row.pk])
        except NoReverseMatch:
            href = ""
        links.append((row, href))
    return links


STATE_BADGES = {
    OrderStatus.DRAFT: "secondary",
    OrderStatus.CONFIRMED: "primary",
    OrderStatus.PARTIALLY_DELIVERED: "info",
    OrderStatus.DELIVERED: "success",
    OrderStatus.CLOSED: "dark",
    OrderStatus.CANCELLED: "danger",
}
PROGRESS_BADGES = {"none": "light", "partial": "warning", "full": "success"}


class OrderDetailView(OrgView):
    permission = P.VIEW_SALES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = order_selectors.order_get(organization=self.organization, pk=pk)
        return render(request, "sales/order_detail.html", order_context(self, order))


def order_context(view: OrgView, order: SalesOrder, refusal: DomainError | None = None) -> dict[str, Any]:
    """What the order page shows: lines with their progress, state badges, the documents made against the order,
    its history, and the actions the member may take in the order's state."""
    lines = list(order.lines.select_related("product", "product__unit", "warehouse").order_by("seq"))
    nothing_done = not any(ln.delivered_quantity or ln.invoiced_quantity for ln in lines)
    can_change = view.can(P.CHANGE_SALES)
    is_draft = order.status == OrderStatus.DRAFT
    exposure = None
    over_limit = False
    if is_draft and order.customer.credit_limit:
        exposure = orders.customer_exposure(view.organization, order.customer, excluding=order)
        over_limit = exposure.total + order.total > exposure.limit
    credit_refused = refusal is not None and refusal.field == "credit"
    history = [
        {
            "event": event,
            "states": [ORDER_FLOW.labels.get(s, s) for s in event.changes.get("status", [])]
            if isinstance(event.changes.get("status"), list)
            else [],
        }
        for event in audit_history(organization=view.organization, obj=order)[:50]
    ]
    return {
        "order": order,
        "lines": [
            {
                "line": ln,
                "quantity": _text(ln.quantity),
                "reserved": _text(ln.reserved_quantity),
                "delivered": _text(ln.delivered_quantity),
                "returned": _text(ln.returned_quantity),
                "invoiced": _text(ln.invoiced_quantity),
                "list_price": _text(ln.list_price),
                "unit_price": _text(ln.unit_price),
                "discount": _percent(ln.discount_rate),
                "vat": _text(ln.vat_rate * HUNDRED),
                "delivered_pct": int(ln.delivered_quantity * 100 / ln.quantity) if ln.quantity else 0,
            }
            for ln in lines
        ],
        "discount": _percent(order.discount_rate),
        "state_badge": STATE_BADGES.get(OrderStatus(order.status), "secondary"),
        "invoice_badge": PROGRESS_BADGES.get(order.invoice_progress, "light"),
        "payment_badge": PROGRESS_BADGES.get(order.payment_progress, "light"),
        "deliveries": _document_links(
            order_selectors.order_deliveries(organization=view.organization, order=order), "sales:delivery_detail"
        ),
        "invoices": _document_links(
            order_selectors.order_invoices(organization=view.organization, order=order), "sales:invoice_detail"
        ),
        "history": history,
        "exposure": exposure,
        "over_limit": over_limit,
        "refusal": refusal,
        "can_change": can_change,
        "can_edit": can_change and is_draft,
        "can_confirm": can_change and is_draft,
        "can_approve_credit": can_change and is_draft and view.can(P.APPROVE_CREDIT) and (over_limit or credit_refused),
        "can_unconfirm": can_change and order.status == OrderStatus.CONFIRMED and nothing_done,
        "can_cancel": can_change and (is_draft or (order.status == OrderStatus.CONFIRMED and nothing_done)),
        "can_close": can_change and order.status in (OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED),
        "can_deliver": view.can(P.DELIVER_GOODS) and order.status in DELIVERABLE_STATES,
    }


ORDER_ACTIONS: dict[str, tuple[Any, Any]] = {
    "confirm": (orders.order_confirm, gettext_lazy("Order confirmed: the goods are reserved.")),
    "unconfirm": (orders.order_unconfirm, gettext_lazy("Order back to draft: the reservation is released.")),
    "cancel": (orders.order_cancel, gettext_lazy("Order cancelled.")),
    "close": (orders.order_close, gettext_lazy("Order closed: what was not delivered is released.")),
}


class OrderActionView(OrgView):
    """The order's workflow actions. A refusal (short stock, over the credit limit, wrong state) is shown on the
    order's page with status 422; confirming beyond the credit limit is offered to members who may approve it."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_SALES

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ORDER_ACTIONS:
            raise Http404
        service, done = ORDER_ACTIONS[action]
        order = order_selectors.order_get(organization=self.organization, pk=pk)
        extra = {"approve_credit": request.POST.get("approve_credit") == "1"} if action == "confirm" else {}
        try:
            service(organization=self.organization, actor=request.user, order_id=order.pk, **extra)
        except DomainError as exc:
            order.refresh_from_db()
            return render(request, "sales/order_detail.html", order_context(self, order, refusal=exc), status=422)
        messages.success(request, str(done))
        return redirect(request, reverse("sales:order_detail", args=[order.pk]))


# Price lists -----------------------------------------------------------------------------------------------------


class PriceListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    tag_id = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        label=gettext_lazy("Customer group (tag)"),
        required=False,
        empty_label=gettext_lazy("Every customer"),
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False, widget=_date_widget())
    valid_to = forms.DateField(label=gettext_lazy("Valid to"), required=False, widget=_date_widget())
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        initial=0,
        min_value=-pricing.MAX_PRIORITY,
        max_value=pricing.MAX_PRIORITY,
        help_text=gettext_lazy("Where several lists apply, the customer group's list wins, then the higher priority."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag_id"].queryset = Tag.objects.filter(organization=organization)  # type: ignore[attr-defined]
        _styled(self)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"


ITEM_KEYS = ("product", "min_quantity", "unit_price")
BLANK_ITEMS = 5


class PriceListFormView(OrgView):
    permission = P.MANAGE_PRICES

    def _list(self, pk: int | None) -> PriceList | None:
        return pricing.price_list_get(organization=self.organization, pk=pk) if pk is not None else None

    def _render(
        self,
        request: HttpRequest,
        price_list: PriceList | None,
        form: PriceListForm,
        rows: list[dict[str, str]],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        padded = rows + [dict.fromkeys(ITEM_KEYS, "")] * BLANK_ITEMS
        items = [
            {**row, "i": i, "errors": _row_errors(field_errors, str(row.get("_row", i)))}
            for i, row in enumerate(padded)
        ]
        context = {
            "price_list": price_list,
            "form": form,
            "items": items,
            "line_count": len(items),
            "products": Product.objects.filter(organization=self.organization, is_active=True).order_by("code"),
            "errors": errors,
            "title": _("Edit price list %(p)s") % {"p": price_list} if price_list else _("New price list"),
            "cancel_url": reverse("sales:price_list_detail", args=[price_list.pk])
            if price_list
            else reverse("sales:price_list_list"),
        }
        return render(request, "sales/price_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        price_list = self._list(pk)
        if price_list is not None:
            form = PriceListForm(
                initial={
                    "name": price_list.name,
                    "tag_id": price_list.tag_id,
                    "valid_from": price_list.valid_from,
                    "valid_to": price_list.valid_to,
                    "priority": price_list.priority,
                    "is_active": price_list.is_active,
                },
                organization=self.organization,
            )
            rows = [
                {
                    "product": str(item.product_id),
                    "min_quantity": _text(item.min_quantity),
                    "unit_price": _text(item.unit_price),
                    "_row": str(i),
                }
                for i, item in enumerate(
                    price_list.items.select_related("product").order_by("product__code", "min_quantity")
                )
            ]
        else:
            form = PriceListForm(organization=self.organization)
            rows = []
        return self._render(request, price_list, form, rows, [], {})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        price_list = self._list(pk)
        form = PriceListForm(request.POST, organization=self.organization)
        rows = _posted_rows(request, ITEM_KEYS)
        if not form.is_valid():
            return self._render(request, price_list, form, rows, [], {}, status=422)
        tag = form.cleaned_data["tag_id"]
        data = {
            "name": form.cleaned_data["name"],
            "tag_id": tag.pk if tag else None,
            "valid_from": form.cleaned_data["valid_from"],
            "valid_to": form.cleaned_data["valid_to"],
            "priority": form.cleaned_data["priority"],
            "is_active": form.cleaned_data["is_active"],
            "items": [
                {"product_id": r["product"] or None, "min_quantity": r["min_quantity"], "unit_price": r["unit_price"]}
                for r in rows
            ],
        }
        try:
            if price_list is None:
                saved = pricing.price_list_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = pricing.price_list_update(
                    organization=self.organization, actor=request.user, price_list_id=price_list.pk, data=data
                )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows, "items")
            for err in exc.errors:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
            return self._render(request, price_list, form, rows, general, by_field, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("sales:price_list_detail", args=[saved.pk]))


class PriceListDetailView(OrgView):
    permission = P.VIEW_SALES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        price_list = pricing.price_list_get(organization=self.organization, pk=pk)
        items = price_list.items.select_related("product", "product__unit").order_by("product__code", "min_quantity")
        context = {
            "price_list": price_list,
            "items": [
                {"item": item, "min_quantity": _text(item.min_quantity), "unit_price": _text(item.unit_price)}
                for item in items
            ],
            "history": audit_history(organization=self.organization, obj=price_list)[:50],
            "can_change": self.can(P.MANAGE_PRICES),
        }
        return render(request, "sales/price_detail.html", context)


class PriceListDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_PRICES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        price_list = pricing.price_list_get(organization=self.organization, pk=pk)
        try:
            pricing.price_list_delete(organization=self.organization, actor=request.user, price_list_id=price_list.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request, reverse("sales:price_list_detail", args=[price_list.pk]))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": price_list})
        return redirect(request, reverse("sales:price_list_list"))


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="order_list"),
    path("orders/new/", OrderFormView.as_view(), name="order_create"),
    path("orders/line/", OrderLineRowView.as_view(), name="order_line_row"),
    path("orders/line-info/", OrderLineInfoView.as_view(), name="order_line_info"),
    path("orders/exposure/", CustomerExposureView.as_view(), name="order_exposure"),
    path("orders/<int:pk>/", OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/edit/", OrderFormView.as_view(), name="order_edit"),
    path("orders/<int:pk>/<str:action>/", OrderActionView.as_view(), name="order_action"),
    path("price-lists/", PriceListListView.as_view(), name="price_list_list"),
    path("price-lists/new/", PriceListFormView.as_view(), name="price_list_create"),
    path("price-lists/<int:pk>/", PriceListDetailView.as_view(), name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", PriceListFormView.as_view(), name="price_list_edit"),
    path("price-lists/<int:pk>/delete/", PriceListDeleteView.as_view(), name="price_list_delete"),
]
