from django.urls import path

from cartable.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<uuid:public_id>/", views.notification_open, name="notification_open"),
    path("guide/", views.guide, name="guide"),
    path("guide/<slug:slug>/", views.guide_page, name="guide_page"),
    path("legal/<slug:slug>/", views.legal, name="legal"),
    path("contributions/", views.contributions, name="contributions"),
    path("contributions/triage/", views.contributions_triage, name="triage"),
    path(
        "contributions/<uuid:public_id>/answer/",
        views.contribution_answer,
        name="contribution_answer",
    ),
    path("me/data/", views.privacy_center, name="privacy_center"),
    path("me/data/exports/<uuid:public_id>/", views.export_download, name="export_download"),
    path("me/delete/", views.delete_account, name="delete_account"),
    path("admin-stats/", views.stats, name="stats"),
]
