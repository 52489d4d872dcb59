from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DriveConfig(AppConfig):
    name = "cartable.drive"
    label = "drive"
    verbose_name = _("Drive")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants; nothing else imports platform.
        from cartable.drive import platform, receivers

        receivers.connect()
        platform.register()
