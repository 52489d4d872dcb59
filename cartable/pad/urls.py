from django.urls import path

from cartable.pad import views

app_name = "pad"

urlpatterns = [
    path("", views.index, name="index"),
    path("p/<str:pad_id>", views.pad_page, name="pad"),
    path("p/<str:pad_id>/settings", views.settings_view, name="settings"),
]
