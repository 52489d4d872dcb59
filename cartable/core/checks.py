from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_oidc_providers(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[Error]:
    errors = []
    for index, provider in enumerate(settings.OIDC_PROVIDERS):
        for key in ("id", "client_id", "server_url"):
            if not provider.get(key):
                errors.append(
                    Error(f"CARTABLE_OIDC_PROVIDERS[{index}] lacks {key!r}", id="cartable.E001")
                )
    return errors
