"""Template filters shared by every page and email."""

from __future__ import annotations

from flask import Flask


def sentence(text: str) -> str:
    """Capitalise the first letter only: labels keep their acronyms ("CL-777", "HR")."""
    text = str(text)
    return text[:1].upper() + text[1:]


def init_app(app: Flask) -> None:
    app.add_template_filter(sentence)
