"""Outgoing email: an SMTP backend for production, a folder backend for development.

`send` takes a `before_transmit` callback, called once the mail server has accepted the sender and
every recipient and just before the message body goes over the wire. The notification service
records that moment: a worker that dies before it can safely send again; one that dies after it
cannot know whether the server kept the message (see app/services/notifications/emails.py).
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app, render_template

from app import storage


def init_app(app: Flask) -> None:
    """Check the mail backend name early, so a typo fails at start-up, not at first send."""
    backend = app.config["MAIL_BACKEND"]
    if backend not in {"folder", "smtp"}:
        raise ValueError(f"MAIL_BACKEND must be 'folder' or 'smtp', not {backend!r}")


# Headers fold only past RFC 5322's hard limit: the library's 78-column folding moves a long subject
# whole onto a continuation line, which mail programs then show with a leading space.
_HEADERS = policy.SMTP.clone(max_line_length=998)


def new_message_id() -> str:
    """A fresh, globally unique Message-ID header value."""
    return make_msgid(domain="credential-tracker")


def compose(to: str, subject: str, template: str, *, message_id: str | None = None,
            **context: object) -> EmailMessage:
    """Render templates/email/<template>.txt and .html into a two-part message."""
    message = EmailMessage(policy=_HEADERS)
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or new_message_id()
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


def send(message: EmailMessage, before_transmit: Callable[[], None] | None = None) -> None:
    """Deliver a message with the configured backend."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "folder":
        _write_to_folder(message, Path(config["MAIL_FOLDER"]), before_transmit)
        return
    sender = parseaddr(str(message["From"]))[1]
    recipients = [address for _name, address in getaddresses(
        [str(v) for header in ("To", "Cc") for v in message.get_all(header, [])])]
    if not recipients:
        raise ValueError("the message has no recipients")
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 10)) as smtp:
        smtp.ehlo()
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
            smtp.ehlo()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        # The envelope step by step (what sendmail does in one call), so the caller can mark the
        # moment before the body is handed over: everything up to here is safe to repeat.
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        if before_transmit is not None:
            before_transmit()
        code, reply = smtp.data(message.as_bytes(policy=_HEADERS))
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)


def _write_to_folder(message: EmailMessage, folder: Path,
                     before_transmit: Callable[[], None] | None) -> None:
    # One file per Message-ID, written atomically: sending the same message again leaves one file.
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<> ")) or "message"
    path = folder / f"{name}.eml"
    if before_transmit is not None:
        before_transmit()
    if path.exists():
        current_app.logger.info("mail %s already in %s", message["Message-ID"], folder)
        return
    storage.write_whole(path, bytes(message))
    current_app.logger.info("mail to %s written to %s", message["To"], path)
