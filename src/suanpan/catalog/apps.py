from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "suanpan.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from suanpan.catalog.importers import PRODUCTS
        from suanpan.core.importing import register

        register(PRODUCTS)
