from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import AppPassword, Group, Invitation, Membership, Structure, User
from cartable.core import limits


class LimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form, saying so when the limiter refused the attempt."""

    def get_invalid_login_error(self) -> ValidationError:
        refusal = limits.refusal_of(self.request)
        if refusal is not None:
            return ValidationError(refusal.message, code="too_many_login_attempts")
        return super().get_invalid_login_error()


# The password goes through the one backend (cartable.accounts.backends) and its limiter.
admin.site.login_form = LimitedAdminAuthenticationForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "kind",
        "structure",
        "is_active",
        "last_login",
    )
    list_filter = ("kind", "is_active", "is_superuser", "structure")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Cartable"),
            {
                "fields": (
                    "kind",
                    "display_name",
                    "structure",
                    "language",
                    "email_notifications",
                    "deletion_requested_at",
                )
            },
        ),
    )


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "email_domains", "external_id")
    list_filter = ("kind",)
    search_fields = ("name", "email_domains", "external_id")


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "structure", "school_year", "created_at")
    list_filter = ("kind", "school_year")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("code", "group", "uses", "max_uses", "expires_at", "revoked_at")


@admin.register(AppPassword)
class AppPasswordAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at")
    exclude = ("password_hash",)
    readonly_fields = ("prefix",)
