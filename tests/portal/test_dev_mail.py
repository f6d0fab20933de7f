from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from parcauto.notifications.mailer import MailDirBackend


def _write_one(directory) -> str:
    message = EmailMultiAlternatives(
        subject="Validez votre adresse courriel",
        body="Bonjour,\nhttp://cem.localhost:8000/accounts/confirm-email/abc/",
        from_email="no-reply@parcauto.localhost",
        to=["marie@example.com"],
    )
    assert MailDirBackend(directory=str(directory)).send_messages([message]) == 1
    (name,) = [path.stem for path in directory.glob("*.eml")]
    return name


def test_the_development_mailbox_lists_and_shows_each_message(settings, tmp_path, client, db):
    settings.DEBUG = True
    settings.MAIL_DIR = tmp_path
    name = _write_one(tmp_path)

    listing = client.get("/dev/mail/").content.decode()
    assert "Validez votre adresse courriel" in listing
    assert f'href="/dev/mail/{name}/"' in listing

    detail = client.get(f"/dev/mail/{name}/").content.decode()
    assert '<a href="http://cem.localhost:8000/accounts/confirm-email/abc/"' in detail


def test_the_development_mailbox_does_not_exist_outside_debug(settings, tmp_path, client, db):
    settings.MAIL_DIR = tmp_path
    name = _write_one(tmp_path)
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{name}/").status_code == 404
