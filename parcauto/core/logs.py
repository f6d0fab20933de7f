"""Log lines that machines read: one JSON object a line, each with the request id of the
work it belongs to, and nothing personal.

A request's id (`core.request_log`) is held in a context variable while the request runs,
and while each task it queued runs (`core.task_log`), so every record logged meanwhile,
by any module, carries it. A line carries the record's message and the fields the caller
passed as `extra={"fields": {...}}`: never the other attributes libraries attach to their
records (Django's `request`, whose text holds the query string). Messages and tracebacks
go through `text_scrubbed`: an e-mail address, a card-like number or a key in a path
that a message or an exception carries is replaced (Sentry's reports get the same).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

_request_id: ContextVar[str] = ContextVar("parcauto_request_id", default="")
# A proxy's id (nginx's $request_id, a UUID, a trace id) is kept; anything else is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}", re.ASCII)
# A path segment that looks like a key (letters and digits, 16 or more): allauth's e-mail
# validation and password reset links carry theirs in the path.
_KEY_LIKE = re.compile(r"(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9_:=-]{16,}", re.ASCII)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")  # 13 to 19 digits
REDACTED = "[redacted]"


def request_id_current() -> str:
    """The id of the request (or of the request that queued the task) running now; "" outside."""
    return _request_id.get()


def request_id_accepted(value: str) -> str:
    """`value` if it is a well-formed id from upstream, else a new one."""
    return value if _WELL_FORMED.fullmatch(value) else os.urandom(16).hex()


def request_id_set(request_id: str) -> Token[str]:
    """Make `request_id` the current one; give the token to `request_id_reset` after."""
    return _request_id.set(request_id)


def request_id_reset(token: Token[str]) -> None:
    _request_id.reset(token)


@contextmanager
def request_id_bound(request_id: str) -> Iterator[None]:
    token = request_id_set(request_id)
    try:
        yield
    finally:
        request_id_reset(token)


def path_redacted(path: str) -> str:
    """`path` with each key-like segment replaced: what a log or an error report may keep."""
    return "/".join(
        REDACTED if _KEY_LIKE.fullmatch(segment) else segment for segment in path.split("/")
    )


def text_scrubbed(text: str) -> str:
    """`text` with every e-mail address, card-like number and key in a path replaced (a
    path: Django's "Not Found: /accounts/confirm-email/<key>/")."""
    text = _CARD_LIKE.sub(REDACTED, _EMAIL.sub(REDACTED, text))
    return path_redacted(text) if "/" in text else text


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, fields.

    The request id is the current one when the record is written (a stream handler writes
    in the thread that logs); the request and task lines carry theirs among their fields.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": text_scrubbed(record.getMessage()),
        }
        if request_id := request_id_current():
            line["request_id"] = request_id
        line.update(_fields(record))
        if record.exc_info:
            line["exception"] = text_scrubbed(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development's lines (LOG_FORMAT=text): the message, then the fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = text_scrubbed(super().formatMessage(record))
        pairs = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        return f"{text} {pairs}" if pairs else text

    def formatException(self, exc_info: Any) -> str:
        return text_scrubbed(super().formatException(exc_info))
