"""Email to people about their account, through Django's configured email backend (``SPOOL_EMAIL_URL``;
the embedded default writes each message as a file under ``var/mail``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail


def send_account_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text message. Failures raise: callers run this before answering, so a person is told
    when their link could not be sent."""
    send_mail(f"[Spool] {subject}", body, settings.DEFAULT_FROM_EMAIL, [to])


def absolute(path: str) -> str:
    """The public URL of a path on this server (links in emails must work from a mail client)."""
    return f"{settings.SPOOL.public_url}{path}"
