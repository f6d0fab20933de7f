from django.urls import path

from .views import queue, requests

app_name = "backoffice"

urlpatterns = [
    path("", queue.home, name="home"),
    path("demandes/", queue.queue, name="queue"),
    path("demandes/approuver/", queue.bulk_approve, name="bulk_approve"),
    path("demandes/<int:pk>/", requests.detail, name="request"),
    path("demandes/<int:pk>/approuver/", requests.approve, name="approve"),
    path("demandes/<int:pk>/refuser/", requests.refuse, name="refuse"),
    path(
        "demandes/<int:pk>/pieces/<int:attachment_pk>/",
        requests.attachment,
        name="attachment",
    ),
]
