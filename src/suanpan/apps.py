from django.apps import AppConfig


class SuanpanConfig(AppConfig):
    """The project itself, as an app: cross-app commands (demo, verify, import, bench) live here."""

    name = "suanpan"
    label = "suanpan"
    verbose_name = "Suanpan"
