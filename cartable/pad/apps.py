from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PadConfig(AppConfig):
    name = "cartable.pad"
    label = "pad"
    verbose_name = _("Pad")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants; nothing else imports platform.
        from cartable.pad import platform

        platform.register()
