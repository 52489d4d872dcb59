from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cartable.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants (system checks, privacy rules).
        from cartable.core import checks, privacy  # noqa: F401

        privacy.register()
