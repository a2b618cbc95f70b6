"""REST endpoints of sales: deliverys."""

from ninja import Router

router = Router(tags=["sales"])
