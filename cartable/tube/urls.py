from django.urls import path

from cartable.tube.views import pages, watching

app_name = "tube"

urlpatterns = [
    path("", pages.index, name="index"),
    path("c/<uuid:public_id>/", pages.channel, name="channel"),
    path("v/<uuid:public_id>/", watching.watch, name="watch"),
    path("v/<uuid:public_id>/hls/<path:name>", watching.hls, name="hls"),
]
