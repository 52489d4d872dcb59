from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import EmailVerificationStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from cartable.accounts import actions
from cartable.core.net import block_address, client_ip


class StudentAwareEmailVerificationStage(EmailVerificationStage):
    """Students have no e-mail address: they sign in with the password chosen at join."""

    def handle(self) -> Any:
        if getattr(self.login.user, "kind", "") == "student":
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        actions.check_staff_email(email)
        return email

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        if not user.username:
            user.username = actions.unique_username(user.email.split("@")[0])

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.kind = "staff"
        user.structure = actions.structure_for_email(user.email)
        if commit:
            user.save()
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits keyed "ip" apply to the address block (see cartable.core.net). allauth
        # also stores this value in user sessions, an address column on PostgreSQL: so it is
        # the block's first address, which is also less personal data than the full one.
        return block_address(client_ip(request) or "")

    def get_login_stages(self) -> list[str]:
        return [
            "cartable.accounts.adapters.StudentAwareEmailVerificationStage"
            if path.endswith(".EmailVerificationStage")
            else path
            for path in super().get_login_stages()
        ]

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return super().get_login_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect: claims map to structure and role, per provider (see settings)."""

    def _provider_conf(self, sociallogin: Any) -> dict[str, Any]:
        provider_id = sociallogin.account.provider
        return next((p for p in settings.OIDC_PROVIDERS if p["id"] == provider_id), {})

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        conf = self._provider_conf(sociallogin)
        claims = sociallogin.account.extra_data or {}
        claims = claims.get("userinfo", claims) if isinstance(claims, dict) else {}
        mapping = conf.get("claims", {})
        structure_claim = claims.get(mapping.get("structure", "structure"), "")
        if isinstance(structure_claim, list):
            structure_claim = structure_claim[0] if structure_claim else ""
        role_claim = claims.get(mapping.get("role", "role"), "")
        staff_values = set(
            conf.get("staff_values", ["staff", "teacher", "enseignant", "personnel"])
        )
        is_staff = (
            role_claim in staff_values if role_claim else actions.is_staff_email(user.email or "")
        )
        user.kind = "staff" if is_staff else "student"
        user.structure = actions.structure_for_claim(str(structure_claim)) or (
            actions.structure_for_email(user.email) if user.email else None
        )
        name = " ".join(
            filter(None, [claims.get("given_name"), claims.get("family_name")])
        ) or claims.get("name", "")
        user.display_name = name[:150]
        if not user.username:
            base = claims.get("preferred_username") or (user.email or "").split("@")[0] or "user"
            user.username = actions.unique_username(base)
        return user

    def validate_disconnect(self, account: Any, accounts: Any) -> None:
        if len(accounts) <= 1 and not account.user.has_usable_password() and not account.user.email:
            raise ValidationError("This is your only way to sign in.")
