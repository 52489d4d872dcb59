from django.urls import path

from cartable.drive import preview_views

app_name = "drive"

urlpatterns: list = [
    path("preview/<uuid:public_id>", preview_views.preview, name="preview"),
]
