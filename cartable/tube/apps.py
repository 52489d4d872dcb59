from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TubeConfig(AppConfig):
    name = "cartable.tube"
    label = "tube"
    verbose_name = _("Tube")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants; nothing else imports platform.
        from cartable.tube import platform

        platform.register()
