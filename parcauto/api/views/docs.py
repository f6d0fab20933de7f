"""The OpenAPI schema and its browsable docs (Swagger UI, vendored: no CDN)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files; its start-up script is
    served from this URL (`?script`), so the page needs no inline script under the CSP."""

    template_name = "api/swagger_ui.html"
