from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "suanpan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from suanpan.inventory import (
            costing,  # noqa: F401 - registers the month-end close check
            stocktakes,  # noqa: F401 - registers the month-end close check (stocktakes posted)
            tasks,  # noqa: F401 - registers the periodic tasks with Huey
        )
