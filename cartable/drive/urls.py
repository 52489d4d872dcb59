from django.urls import path

from cartable.drive import tus
from cartable.drive.views import browse, changes, files, public, share, trash, zips
from cartable.drive.views import previews as preview_views

app_name = "drive"

urlpatterns = [
    path("", browse.home, name="home"),
    path("f/<uuid:public_id>", browse.folder, name="folder"),
    path("f/<uuid:public_id>/activity", browse.activity, name="activity"),
    path("f/<uuid:public_id>/new-folder", changes.new_folder, name="new_folder"),
    path("f/<uuid:public_id>/upload", changes.upload, name="upload"),
    path("f/<uuid:public_id>/zip", zips.zip_download, name="zip_folder"),
    path("f/<uuid:public_id>/file-drop", changes.file_drop, name="file_drop"),
    path("file/<uuid:public_id>", files.file_page, name="file"),
    path("file/<uuid:public_id>/download", files.download, name="download"),
    path("file/<uuid:public_id>/raw", files.raw, name="raw"),
    path("preview/<uuid:public_id>", preview_views.preview, name="preview"),
    path(
        "file/<uuid:public_id>/versions/<int:version_id>",
        files.version_download,
        name="version_download",
    ),
    path(
        "file/<uuid:public_id>/versions/<int:version_id>/restore",
        files.version_restore,
        name="version_restore",
    ),
    path("n/<uuid:public_id>/rename", changes.rename, name="rename"),
    path("n/<uuid:public_id>/delete", changes.delete, name="delete"),
    path("n/<uuid:public_id>/favourite", changes.favourite, name="favourite"),
    path("n/<uuid:public_id>/share", share.share, name="share"),
    path("delete", changes.delete, name="delete_selection"),
    path("pick", changes.pick, name="pick"),
    path("zip", zips.zip_download, name="zip"),
    path("search", browse.search, name="search"),
    path("favourites", browse.favourites, name="favourites"),
    path("recent", browse.recent, name="recent"),
    path("people.json", share.people_json, name="people"),
    path("trash", trash.trash_page, name="trash"),
    path("trash/empty", trash.empty, name="trash_empty"),
    path("trash/<uuid:public_id>/restore", trash.restore, name="trash_restore"),
    path("trash/<uuid:public_id>/purge", trash.purge, name="trash_purge"),
    # Resumable uploads (tus 1.0): the browser's uploader creates, resumes and ends them here.
    path("tus/", tus.endpoint, name="tus"),
    path("tus/<uuid:upload_id>", tus.upload_view, name="tus_upload"),
    # Public links.
    path("s/<str:token>", public.link_page, name="link"),
    path("s/<str:token>/f/<uuid:public_id>", public.link_folder, name="link_folder"),
    path("s/<str:token>/file/<uuid:public_id>", public.link_file, name="link_file"),
    path("s/<str:token>/download/<uuid:public_id>", public.link_download, name="link_download"),
    path("s/<str:token>/raw/<uuid:public_id>", public.link_raw, name="link_raw"),
    path("s/<str:token>/preview/<uuid:public_id>", public.link_preview, name="link_preview"),
    path("s/<str:token>/upload", public.link_upload, name="link_upload"),
    path("s/<str:token>/f/<uuid:public_id>/upload", public.link_upload, name="link_upload_to"),
]
