from django.contrib import admin

from cartable.core.models import AuditEntry, DataExport, Grant, Notification


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "target", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "target", "action")
    readonly_fields = ("created_at", "actor", "actor_label", "action", "target", "ip", "data")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("content_type", "object_id", "user", "group", "role")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "status", "size")
