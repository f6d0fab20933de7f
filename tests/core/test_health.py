from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_the_health_check_answers_ok_and_once_warm_touches_no_table(client, db):
    assert client.get("/healthz/").content == b"ok"  # the host lookup is cached now
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert len(queries) == 0
