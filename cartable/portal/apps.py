from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cartable.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants; nothing else imports platform.
        from cartable.portal import platform

        platform.register()
