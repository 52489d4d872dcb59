from django.urls import path

from cartable.tube.views import watching

app_name = "tube"

urlpatterns = [
    path("v/<uuid:public_id>/", watching.watch, name="watch"),
    path("v/<uuid:public_id>/hls/<path:name>", watching.hls, name="hls"),
]
