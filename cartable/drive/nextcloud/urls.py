"""The Nextcloud server interface at the root of the site (not under /remote.php, which is
the WebDAV application's: see cartable/asgi.py)."""

from django.urls import path, re_path

from cartable.drive.nextcloud import login_flow, ocs, shares, status, users

app_name = "nextcloud"

OCS = r"^ocs/v(?P<version>[12])\.php/"

urlpatterns = [
    path("status.php", status.status_php, name="status"),
    re_path(OCS + r"cloud/capabilities/?$", status.capabilities_view, name="capabilities"),
    re_path(OCS + r"cloud/user/?$", users.current_user, name="user"),
    re_path(OCS + r"cloud/users/(?P<userid>[^/]+)/?$", users.user_detail, name="user_detail"),
    re_path(OCS + r"apps/files_sharing/api/v1/shares/?$", shares.shares, name="shares"),
    re_path(
        OCS + r"apps/files_sharing/api/v1/shares/(?P<share_id>[^/]+)/?$",
        shares.share,
        name="share",
    ),
    re_path(OCS + r"apps/files_sharing/api/v1/sharees/?$", shares.sharees, name="sharees"),
    re_path(OCS + r".*$", ocs.not_found, name="ocs_not_found"),
    re_path(r"^(?:index\.php/)?login/v2/?$", login_flow.start_v2, name="login_v2"),
    re_path(r"^(?:index\.php/)?login/v2/poll/?$", login_flow.poll_v2, name="login_v2_poll"),
    re_path(
        r"^(?:index\.php/)?login/v2/flow/(?P<login_token>[A-Za-z0-9_-]+)/?$",
        login_flow.grant,
        name="login_v2_grant",
    ),
    re_path(r"^(?:index\.php/)?login/flow/?$", login_flow.start_v1, name="login_v1"),
    re_path(
        r"^(?:index\.php/)?login/flow/(?P<login_token>[A-Za-z0-9_-]+)/?$",
        login_flow.grant,
        name="login_flow_grant",
    ),
]
