from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "suanpan.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from suanpan.core.importing import register
        from suanpan.partners.importers import CUSTOMERS, SUPPLIERS

        register(CUSTOMERS)
        register(SUPPLIERS)
