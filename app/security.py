"""Security headers on every response, and a per-request nonce for the one self-contained page."""

from __future__ import annotations

import secrets

from flask import Flask, g, has_request_context
from werkzeug.wrappers import Response

# Every page's styles and scripts come from /static: no inline <script>, <style> or style="".
# The installable app's worker and manifest are the site's own (app/main/app_shell.py), named explicitly.
# The record export is a single file that must read the same offline, so its one <style> carries
# this request's nonce instead (style attributes cannot take a nonce, so none are used anywhere).
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'{nonce}; img-src 'self'; font-src 'self'; "
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
# Same-origin keeps the referrer Flask-WTF checks over HTTPS, and never sends a page's address
# (a reset or invitation link carries its token) to another site.
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                          "microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce for an inline <style> (made on first use; empty outside a request)."""
    if not has_request_context():
        return ""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    """The CSP for this response, naming the nonce only if a template asked for one."""
    nonce = g.get("csp_nonce") if has_request_context() else None
    policy = _CSP.format(nonce=f" 'nonce-{nonce}'" if nonce else "")
    # A document preview (app/inbox/queue_actions.py) may be framed by this site's own pages, nothing
    # else, and shown by the browser's own PDF viewer (which embeds the document it is given).
    # A form that leads to an organisation's sign-in provider ("Try signing in") names its origin: browsers
    # apply form-action to the redirects that follow a submission too.
    if has_request_context() and g.get("form_action_origins"):
        policy = policy.replace("form-action 'self'", " ".join(["form-action 'self'", *g.form_action_origins]))
    if has_request_context() and g.get("framed_by_self"):
        policy = (policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
                  .replace("object-src 'none'", "object-src 'self'"))
    return policy


def init_app(app: Flask) -> None:
    """Add the headers to every response (pages, errors, files) and offer csp_nonce() to templates."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _secure_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy()
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        # Only when the site is served over HTTPS: HSTS on plain HTTP would lock a local setup out.
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
