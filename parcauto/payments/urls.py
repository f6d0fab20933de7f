"""The sandbox gateway's pages (mounted under /passerelle-test/)."""

from django.urls import path

from . import sandbox_views

app_name = "payments"

urlpatterns = [
    path("carte/", sandbox_views.sandbox_frame, name="sandbox-frame"),
    path("carte/jeton/", sandbox_views.sandbox_tokenize, name="sandbox-tokenize"),
]
