"""/dev/mail/: the e-mails written to var/mail/ in development (DEBUG only)."""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def _mail_dir() -> Path:
    return Path(settings.MAIL_DIR)


def _read(path: Path) -> EmailMessage:
    parser = email.parser.BytesParser(_class=EmailMessage, policy=email.policy.default)
    return parser.parsebytes(path.read_bytes())


def _debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_debug_only
def mail_list(request: HttpRequest) -> HttpResponse:
    files = sorted(_mail_dir().glob("*.eml"), reverse=True)[:200]
    messages = [{"name": f.stem, "message": _read(f)} for f in files]
    return render(request, "portal/dev_mail_list.html", {"mails": messages})


@_debug_only
def mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    path = _mail_dir() / f"{name}.eml"
    if "/" in name or not path.is_file():
        raise Http404
    message = _read(path)
    text_part = message.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part else ""
    return render(
        request, "portal/dev_mail_detail.html", {"name": name, "message": message, "text": text}
    )
