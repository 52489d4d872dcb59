from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("cartable.portal.urls")),
    path("accounts/", include("allauth.urls")),
    path("pad/", include("cartable.pad.urls")),
    path("drive/", include("cartable.drive.urls")),
    path("tube/", include("cartable.tube.urls")),
    # The Nextcloud clients' endpoints sit at the root, where Nextcloud has them.
    path("", include("cartable.drive.nextcloud.urls")),
    path("", include("cartable.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The browser's words: Cartable's djangojs catalogue (LOCALE_PATHS, always read) and no
    # other app's: without packages the view would add the admin's calendar strings, and
    # their plural rule, to every page.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["cartable.core"]),
        name="javascript-catalog",
    ),
    path("admin/", admin.site.urls),
]

# No route to MEDIA_ROOT, even with DEBUG on: every stored file is served by a view that checks
# who asks and sends it as user bytes (cartable/core/tests/test_user_bytes.py).

admin.site.site_header = "Cartable — administration"
admin.site.site_title = "Cartable"

# Every database connection taken: 503 and Retry-After, not 500 (cartable/core/busy.py).
handler500 = "cartable.core.busy.server_error"
