"""`/api/`: the device endpoints (v1), the OpenAPI schema and its docs, JSON 404s."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .views.allowlist import AllowlistView
from .views.checks import PlateChecksView
from .views.decisions import DecisionView
from .views.docs import DocsView

app_name = "api"

urlpatterns = [
    path("v1/access/decisions", DecisionView.as_view(), name="decisions"),
    path("v1/plates/checks", PlateChecksView.as_view(), name="plate_checks"),
    path("v1/lots/<str:id>/allowlist", AllowlistView.as_view(), name="allowlist"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", not_found, name="not_found"),
]
