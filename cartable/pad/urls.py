from django.urls import path, re_path
from django.views.generic import RedirectView

from cartable.pad.etherpad import views as api
from cartable.pad.views import history, images, io
from cartable.pad.views import pages as views
from cartable.pad.views.embedding import frameable

app_name = "pad"

urlpatterns = [
    path("", views.index, name="index"),
    path("p/<str:pad_id>", frameable(views.pad_page), name="pad"),
    # Etherpad's old read-only address, which older Moodle modules still build.
    path("ro/<str:pad_id>", RedirectView.as_view(pattern_name="pad:pad"), name="readonly"),
    path("p/<str:pad_id>/settings", views.settings_view, name="settings"),
    path("p/<str:pad_id>/authors.json", views.authors_json, name="authors"),
    path("p/<str:pad_id>/images", images.upload, name="image_upload"),
    path("p/<str:pad_id>/images/<str:name>", images.serve, name="image"),
    path("p/<str:pad_id>/history.json", history.history, name="history"),
    path("p/<str:pad_id>/revisions/<int:rev>.json", history.revision, name="revision"),
    path("p/<str:pad_id>/revisions", history.save, name="save_revision"),
    path("p/<str:pad_id>/revisions/<int:rev>/restore", history.restore, name="restore"),
    path("p/<str:pad_id>/export/<str:fmt>", io.export_view, name="export"),
    # Etherpad's form of a revision's export: /p/<padID>/<rev>/export/<type>.
    re_path(
        r"^p/(?P<pad_id>[^/]+)/(?P<rev>[0-9]+)/export/(?P<fmt>[a-z]+)$",
        io.export_view,
        name="export_revision",
    ),
    path("p/<str:pad_id>/import", io.import_view, name="import"),
    # Etherpad's HTTP API: integrations are given <Cartable>/pad as the Etherpad address.
    path("api", api.root, name="api-root"),
    path("api/", api.root),
    path("api/<str:version>/<str:function>", api.call, name="api"),
]
