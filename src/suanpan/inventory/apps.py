from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "suanpan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from suanpan.accounting.opening import register_accept_check
        from suanpan.inventory import (
            costing,  # noqa: F401 - registers the month-end close check
            stocktakes,  # noqa: F401 - registers the month-end close check (stocktakes posted)
            tasks,  # noqa: F401 - registers the periodic tasks with Huey
        )
        from suanpan.inventory.opening import opening_stock_accept_check

        register_accept_check(opening_stock_accept_check)
