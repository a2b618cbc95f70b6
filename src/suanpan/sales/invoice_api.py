"""REST endpoints of sales: invoices."""

from ninja import Router

router = Router(tags=["sales"])
