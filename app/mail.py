"""Outgoing email: an SMTP backend for production, a folder backend for development."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app, render_template


def init_app(app: Flask) -> None:
    """Check the mail backend name early, so a typo fails at start-up, not at first send."""
    backend = app.config["MAIL_BACKEND"]
    if backend not in {"folder", "smtp"}:
        raise ValueError(f"MAIL_BACKEND must be 'folder' or 'smtp', not {backend!r}")


def compose(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    """Render templates/email/<template>.txt and .html into a two-part message."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="credential-tracker")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Deliver a message with the configured backend."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "folder":
        folder = Path(config["MAIL_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{message['Date'][5:16].replace(' ', '-')}-{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(message))
        current_app.logger.info("mail to %s written to %s", message["To"], path)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
