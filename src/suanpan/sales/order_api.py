"""REST endpoints of sales: orders."""

from ninja import Router

router = Router(tags=["sales"])
