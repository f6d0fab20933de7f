"""EMAIL_URL -> Django 6.1's MAILERS: where e-mails go.

- unset: files under `var/mail/` (development; `/dev/mail/` shows them while DEBUG);
- `smtp://user:password@host:port`: an SMTP relay, STARTTLS, port 587 by default;
- `file:///directory`: files there, sent nowhere (a staging site, a benchmark).

A URL of any other shape stops the settings; a relay without a host, or files outside
DEBUG, are for the notifications' system checks to say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILES_BACKEND = "parcauto.notifications.mailer.MailDirBackend"


def mailers_from_url(
    url: str, *, development_dir: Path, timeout: int = 30
) -> tuple[Path, dict[str, Any]]:
    """(the directory e-mails are written to, MAILERS) for `url`.

    `timeout` (seconds) bounds each SMTP network operation: without it a silent server
    holds a worker forever.
    """
    parts = urlsplit(url)
    if parts.scheme == "smtp":
        try:
            port = parts.port or 587
        except ValueError:
            raise ImproperlyConfigured(
                "EMAIL_URL: the port is not a number from 1 to 65535"
            ) from None
        options = {
            "host": parts.hostname or "",
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": True,
            "timeout": timeout,
        }
        return development_dir, {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}
    if not url:
        directory = development_dir
    elif parts.scheme == "file" and parts.path.startswith("/") and not parts.netloc:
        directory = Path(unquote(parts.path))
    else:  # never echoed: it may hold a password
        raise ImproperlyConfigured(
            "EMAIL_URL must be smtp://user:password@host:587 or file:///directory"
        )
    return directory, {
        "default": {"BACKEND": FILES_BACKEND, "OPTIONS": {"directory": str(directory)}}
    }
