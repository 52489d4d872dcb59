from django.contrib import admin

from cartable.portal.models import Contribution


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "topic", "academy", "status")
    list_filter = ("status", "topic", "academy")
    search_fields = ("title", "body")
