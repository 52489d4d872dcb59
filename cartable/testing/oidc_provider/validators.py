from __future__ import annotations

from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Releases each user's configured claims; the school and role claims come with "profile"."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "uai": "profile",
        "profile": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return dict(settings.USER_CLAIMS.get(request.user.get_username(), {}))
