from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cartable.accounts"
    label = "accounts"
    verbose_name = _("Accounts and groups")

    def ready(self) -> None:
        # Imported once the apps are loaded, as Django wants; nothing else imports platform.
        from cartable.accounts import platform, receivers  # noqa: F401

        platform.register()
