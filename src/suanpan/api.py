"""The REST API, /api/v1/: one NinjaAPI assembling each app's router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from suanpan.accounting.api import router as accounting_router
from suanpan.catalog.api import categories_router, products_router, units_router, vat_rates_router
from suanpan.core.api import OrgSessionAuth, TokenAuth, install_error_handlers
from suanpan.core.api_routes import router as core_router
from suanpan.core.notification_api import router as notifications_router
from suanpan.crm import analytics_api, customer_api, followup_api, lead_api, opportunity_api
from suanpan.finance.api import router as finance_router
from suanpan.finance.receivable_api import router as receivables_router
from suanpan.inventory.api import warehouses_router
from suanpan.inventory.opening_api import router as opening_stock_router
from suanpan.inventory.report_api import costing_router, reorder_router
from suanpan.inventory.report_api import router as stock_reports_router
from suanpan.inventory.stock_api import lots_router, stock_router, stocktakes_router, transfers_router
from suanpan.partners.api import customers_router, suppliers_router, tags_router
from suanpan.purchasing.api import router as purchasing_router
from suanpan.sales import delivery_api, invoice_api, order_api, report_api

api = NinjaAPI(
    title="Suanpan API",
    version="1",
    description=(
        "REST API of Suanpan (算盘). Authenticate with a personal token (`Authorization: Bearer sp_…`, created "
        "under 'API tokens' in the web UI) or the browser session. Every request acts in one organization: the "
        "token's, or the one chosen in the UI. Errors are JSON: `{detail, errors: [{field, message}]}`."
    ),
    auth=[TokenAuth(), OrgSessionAuth()],
    urls_namespace="api-v1",
)
install_error_handlers(api)


@csrf_exempt  # it changes nothing; without this a POST to a wrong URL would get Django's HTML CSRF page
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any /api/ URL that names no endpoint: a JSON 404 like every other API error, not an HTML page."""
    return JsonResponse({"detail": _("No such API endpoint."), "errors": []}, status=404)


api.add_router("/", core_router)
api.add_router("/customers", customers_router)
api.add_router("/suppliers", suppliers_router)
api.add_router("/tags", tags_router)
api.add_router("/products", products_router)
api.add_router("/units", units_router)
api.add_router("/categories", categories_router)
api.add_router("/vat-rates", vat_rates_router)
api.add_router("/warehouses", warehouses_router)
api.add_router("/stock-reports", stock_reports_router)
api.add_router("/stock", stock_router)
api.add_router("/lots", lots_router)
api.add_router("/transfers", transfers_router)
api.add_router("/stocktakes", stocktakes_router)
api.add_router("/opening-stock", opening_stock_router)
api.add_router("/costing-runs", costing_router)
api.add_router("/reorder", reorder_router)
api.add_router("/notifications", notifications_router)
api.add_router("/", accounting_router)
api.add_router("/", purchasing_router)
for sales_router in (order_api.router, delivery_api.router, invoice_api.router, report_api.router):
    api.add_router("/", sales_router)
api.add_router("/", finance_router)
api.add_router("/", receivables_router)
for crm_api in (lead_api, followup_api, opportunity_api, customer_api, analytics_api):
    api.add_router("/", crm_api.router)
