from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "suanpan.crm"
    label = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from suanpan.core.importing import register
        from suanpan.crm.lead_importers import LEADS

        register(LEADS)
