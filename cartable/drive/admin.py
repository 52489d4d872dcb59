from django.contrib import admin

from cartable.drive.models import Node, Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "used", "quota", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__display_name", "group__name"]
    fields = ["kind", "user", "group", "quota", "used"]
    readonly_fields = ["kind", "user", "group", "used"]


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    """Read-only: changes to files go through Drive, which keeps sizes and quotas right."""

    list_display = ["path", "kind", "size", "space", "mtime", "trashed"]
    list_filter = ["kind", "trashed"]
    search_fields = ["name"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
