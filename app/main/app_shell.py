"""The installable app: its manifest, its service worker (served from the root, so it may control
every page) and the page the worker shows when there is no connection."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, jsonify, render_template, url_for
from werkzeug.wrappers import Response

from app.main.blueprint import bp

# What the worker keeps for offline use: the look of the app and the offline page, nothing personal.
# Every area's stylesheet is in it (all of static/css), so a new one is kept without a change here.
_STATIC = Path(__file__).resolve().parents[1] / "static"
SHELL_FILES = (*sorted(p.relative_to(_STATIC).as_posix() for p in (_STATIC / "css").glob("*.css")),
               "js/app.js", "favicon.svg", "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png")
THEME = "#1d4f91"


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: name, colours and icons the phone uses when the app is installed."""
    response = jsonify(
        id="/", name="Credential Tracker", short_name="Credentials",
        description="Your credential pathway, your sign-offs and your logs, on your phone.",
        start_url="/", scope="/", display="standalone", orientation="any",
        background_color="#f5f7fa", theme_color=THEME, lang="en",
        icons=[_icon("icon-192.png", "192x192"), _icon("icon-512.png", "512x512"),
               _icon("icon-maskable-512.png", "512x512", purpose="maskable"),
               _icon("icon.svg", "any", kind="image/svg+xml")])
    response.mimetype = "application/manifest+json"
    return response


def _icon(name: str, sizes: str, kind: str = "image/png", purpose: str = "any") -> dict[str, str]:
    return {"src": url_for("static", filename=f"icons/{name}"), "sizes": sizes, "type": kind, "purpose": purpose}


@bp.get("/service-worker.js")
def service_worker() -> Response:
    """The worker script, named by a digest of the shell so a new release replaces the old cache."""
    static = Path(current_app.static_folder or _STATIC)
    shell = [url_for("static", filename=name) for name in SHELL_FILES] + [url_for("main.offline")]
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        digest.update((static / name).read_bytes())
    digest.update((Path(current_app.root_path) / "templates" / "errors" / "offline.html").read_bytes())
    script = (static / "js" / "service-worker.js").read_text()
    script = script.replace("__VERSION__", digest.hexdigest()[:12]).replace(
        "__SHELL__", ", ".join(f'"{path}"' for path in shell)).replace("__OFFLINE__", url_for("main.offline"))
    response = Response(script, mimetype="text/javascript")
    # The browser checks for a new worker on every visit; it must never read a stale one from its cache.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline() -> str:
    """What the app shows with no connection; the same for everyone, so the worker may keep it."""
    return render_template("errors/offline.html")
