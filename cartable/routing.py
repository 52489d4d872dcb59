from django.urls import path

from cartable.core.consumers import EventsConsumer
from cartable.pad.consumers import PadConsumer

websocket_urlpatterns = [
    path("ws/events/", EventsConsumer.as_asgi()),
    path("ws/pad/<str:pad_id>", PadConsumer.as_asgi()),
]
