from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import EmailVerificationStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from cartable.accounts import actions
from cartable.accounts.models import User
from cartable.core import audit, limits
from cartable.core.net import block_address, client_ip

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialAccount, SocialLogin
    from allauth.socialaccount.providers.base import Provider

logger = logging.getLogger(__name__)


class StudentAwareEmailVerificationStage(EmailVerificationStage):
    """Students have no e-mail address: they sign in with the password chosen at join."""

    def handle(self) -> tuple[HttpResponseBase | None, bool]:
        if getattr(self.login.user, "kind", "") == "student":
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        actions.check_staff_email(email)
        return email

    def populate_username(self, request: HttpRequest, user: User) -> None:
        if not user.username:
            user.username = actions.unique_username(user.email.split("@")[0])

    def save_user(
        self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True
    ) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.kind = "staff"
        user.structure = actions.structure_for_email(user.email)
        if commit:
            user.save()
        return user

    def authenticate(self, request: HttpRequest, **credentials: Any) -> User | None:
        user = super().authenticate(request, **credentials)
        refusal = limits.refusal_of(request)
        if user is None and refusal is not None:
            # Say why, rather than "wrong password": the password was not even checked.
            raise ValidationError(refusal.message, code="too_many_login_attempts")
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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites, allauth names the site after the request's host.
        context["current_site"] = PlatformSite()
        super().send_mail(template_prefix, email, context)


class PlatformSite:
    """What allauth's e-mails call the site: the platform's name and public address."""

    @property
    def name(self) -> str:
        return settings.PLATFORM_NAME

    @property
    def domain(self) -> str:
        return settings.BASE_URL.split("://", 1)[-1]


DEFAULT_STAFF_VALUES = ("staff", "teacher", "enseignant", "personnel")


def oidc_claims(extra_data: object) -> dict[str, Any]:
    """Every claim allauth kept from an OpenID Connect sign-in, userinfo winning over the ID token.

    allauth stores ``{"id_token": {...}, "userinfo": {...}}`` (userinfo only when fetched);
    accounts made before allauth 65.11 hold the claims flat.
    """
    if not isinstance(extra_data, dict):
        return {}
    if "id_token" not in extra_data and "userinfo" not in extra_data:
        return dict(extra_data)
    claims: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        if isinstance(extra_data.get(part), dict):
            claims.update(extra_data[part])
    return claims


def _first(value: object) -> str:
    """A claim as one string: providers send some as lists (several schools, several roles)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect: claims map to structure and role, per provider (see settings)."""

    def _provider_conf(self, sociallogin: SocialLogin) -> dict[str, Any]:
        provider_id = sociallogin.account.provider
        return next((p for p in settings.OIDC_PROVIDERS if p["id"] == provider_id), {})

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def _apply_claims(self, user: User, sociallogin: SocialLogin, claims: dict[str, Any]) -> None:
        """Kind (staff or student) and structure, from the provider's claims."""
        conf = self._provider_conf(sociallogin)
        mapping = conf.get("claims", {})
        structure_claim = _first(claims.get(mapping.get("structure", "structure")))
        roles = claims.get(mapping.get("role", "role"))
        roles = [str(r) for r in roles] if isinstance(roles, list | tuple) else [_first(roles)]
        roles = [r for r in roles if r]
        staff_values = {str(v).lower() for v in conf.get("staff_values", DEFAULT_STAFF_VALUES)}
        if roles:
            is_staff = any(r.lower() in staff_values for r in roles)
        else:
            is_staff = actions.is_staff_email(user.email or "")
        user.kind = "staff" if is_staff else "student"
        user.structure = actions.structure_for_claim(structure_claim) or (
            actions.structure_for_email(user.email) if user.email else None
        )

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # A teacher who moved school, or a pupil who became staff: the identity provider is
        # the authority, at every sign-in, not only the first.
        super().pre_social_login(request, sociallogin)
        if not sociallogin.is_existing:
            return
        user = sociallogin.user
        before = (user.kind, user.structure_id)
        self._apply_claims(user, sociallogin, oidc_claims(sociallogin.account.extra_data))
        if (user.kind, user.structure_id) != before:
            user.save(update_fields=["kind", "structure"])
            audit.record(user, "sso.claims_changed", user.structure or "", kind=user.kind)

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> User:
        user = super().populate_user(request, sociallogin, data)
        claims = oidc_claims(sociallogin.account.extra_data)
        self._apply_claims(user, sociallogin, claims)
        name = " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])) or str(
            claims.get("name") or ""
        )
        user.display_name = name[:150]
        # allauth took preferred_username as is; it may belong to someone else here.
        base = (
            claims.get("preferred_username") or (user.email or "").split("@")[0] or name or "user"
        )
        user.username = actions.unique_username(str(base))
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Provider,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        # The page the user sees says little on purpose; whoever runs the platform needs more.
        logger.warning(
            "OpenID Connect sign-in through %s failed: %s %r",
            getattr(getattr(provider, "app", None), "provider_id", None) or provider.id,
            error,
            exception,
        )
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    def validate_disconnect(
        self, account: SocialAccount, accounts: QuerySet[SocialAccount]
    ) -> None:
        if len(accounts) <= 1 and not account.user.has_usable_password() and not account.user.email:
            raise ValidationError(_("This is your only way to sign in."))
