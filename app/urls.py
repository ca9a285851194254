"""Absolute links for emails, always on the configured BASE_URL.

Never built from the request's Host header: a forged header would otherwise put an attacker's
domain into a password-reset link ("reset poisoning"). Works inside jobs, where no request exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` under BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https",
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a ?next=https://evil.example must not bounce anyone away."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None
