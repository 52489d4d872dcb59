from django.urls import path

from cartable.accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("me/security/", views.security, name="security"),
    path("avatars/<uuid:public_id>/", views.avatar, name="avatar"),
    path("me/app-passwords/", views.app_passwords, name="app_passwords"),
    path(
        "me/app-passwords/<uuid:public_id>/revoke/",
        views.app_password_revoke,
        name="app_password_revoke",
    ),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:public_id>/", views.group_detail, name="group"),
    path("groups/<uuid:public_id>/settings/", views.group_settings, name="group_settings"),
    path("groups/<uuid:public_id>/invite/", views.group_invite, name="group_invite"),
    path(
        "groups/<uuid:public_id>/invitations/<str:code>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "groups/<uuid:public_id>/co-teachers/",
        views.group_add_co_teacher,
        name="group_add_co_teacher",
    ),
    path(
        "groups/<uuid:public_id>/members/<uuid:user_id>/remove/",
        views.group_remove_member,
        name="group_remove_member",
    ),
    path(
        "groups/<uuid:public_id>/members/<uuid:user_id>/password/",
        views.student_password,
        name="student_password",
    ),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join"),
]
