"""A page that fails, for tests/core/test_sentry.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def fail(request: HttpRequest, key: str) -> HttpResponse:
    card = "4242 4242 4242 4242"  # a local variable Sentry must not see
    raise ValueError(f"refused {card} for marie@example.com")


urlpatterns = [path("boom/<str:key>/", fail, name="boom")]
