"""The schema and its docs: public, vendored (no CDN), under the pages' CSP."""

from __future__ import annotations

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_documents_every_endpoint_and_the_error_shape():
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    assert set(schema["paths"]) == {
        "/api/v1/access/decisions",
        "/api/v1/lots/{id}/allowlist",
        "/api/v1/plates/checks",
    }
    responses = schema["paths"]["/api/v1/access/decisions"]["post"]["responses"]
    assert set(responses) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "415",
        "422",
        "429",
    }
    assert "clock_skew" in responses["422"]["description"]
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {
        "code",
        "message",
        "fields",
    }


def test_the_docs_load_only_our_own_files_each_with_the_pages_nonce():
    client = Client()
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "https://" not in html and "//cdn" not in html
    nonce = page["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count(f'nonce="{nonce}"') == 4  # the style and the three scripts
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
