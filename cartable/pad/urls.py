from django.urls import path

from cartable.pad import history, images, views

app_name = "pad"

urlpatterns = [
    path("", views.index, name="index"),
    path("p/<str:pad_id>", views.pad_page, name="pad"),
    path("p/<str:pad_id>/settings", views.settings_view, name="settings"),
    path("p/<str:pad_id>/authors.json", views.authors_json, name="authors"),
    path("p/<str:pad_id>/images", images.upload, name="image_upload"),
    path("p/<str:pad_id>/images/<str:name>", images.serve, name="image"),
    path("p/<str:pad_id>/history.json", history.history, name="history"),
    path("p/<str:pad_id>/revisions/<int:rev>.json", history.revision, name="revision"),
    path("p/<str:pad_id>/revisions", history.save, name="save_revision"),
    path("p/<str:pad_id>/revisions/<int:rev>/restore", history.restore, name="restore"),
]
