"""REST endpoints of sales: reports."""

from ninja import Router

router = Router(tags=["sales"])
