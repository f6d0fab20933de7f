"""The log formatters: one JSON object a line (production) or a readable line
(development), the request id of the moment, and nothing personal in a message or a
traceback."""

from __future__ import annotations

import json
import logging
import sys

from parcauto.core.logs import JsonFormatter, TextFormatter, request_id_bound


def _record(message: str, *args: object, fields: dict | None = None, error: bool = False):
    exc_info = None
    if error:
        try:
            raise ValueError("card 4242424242424242 of marie@example.com")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("parcauto.test", logging.INFO, __file__, 1, message, args, exc_info)
    if fields is not None:
        record.fields = fields
    return record


def test_a_json_line_has_time_level_logger_message_request_id_and_fields():
    with request_id_bound("req-0123456789abcdef"):
        text = JsonFormatter().format(_record("billed %d", 3, fields={"run": 7}))
    assert "\n" not in text
    line = json.loads(text)
    assert line.pop("time").endswith("+00:00")
    assert line == {
        "level": "INFO",
        "logger": "parcauto.test",
        "message": "billed 3",
        "request_id": "req-0123456789abcdef",
        "run": 7,
    }


def test_outside_any_request_there_is_no_request_id():
    assert "request_id" not in json.loads(JsonFormatter().format(_record("idle")))


def test_only_the_fields_given_are_written_not_other_record_attributes():
    record = _record("Not Found: /x/")
    record.request = "<WSGIRequest: GET '/x/?email=marie@example.com'>"  # Django's extra
    assert "request" not in json.loads(JsonFormatter().format(record))


def test_messages_and_tracebacks_lose_e_mails_cards_and_keys():
    key = "MQ:1tVqXz:Zk3n9QwErTyUiOpAsDfGhJkL"
    record = _record("Not Found: /accounts/confirm-email/%s/ for %s", key, "jean@example.com")
    assert json.loads(JsonFormatter().format(record))["message"] == (
        "Not Found: /accounts/confirm-email/[redacted]/ for [redacted]"
    )
    line = json.loads(JsonFormatter().format(_record("failed", error=True)))
    assert "ValueError: card [redacted] of [redacted]" in line["exception"]
    text = TextFormatter().format(_record("failed", error=True))
    assert "4242" not in text and "marie" not in text
    assert "ValueError: card [redacted] of [redacted]" in text


def test_a_text_line_puts_the_fields_after_the_message():
    text = TextFormatter().format(_record("request", fields={"status": 200, "route": "healthz"}))
    assert text == "INFO parcauto.test: request status=200 route=healthz"
