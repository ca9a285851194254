"""A real OpenID Connect provider for the tests: Node.js running the certified `oidc-provider` package.

`make install` (and so `.ci/run`) installs the package from the npm registry into this folder's
node_modules (pinned by package-lock.json); a test that finds it missing installs it the same way.
Without Node.js or npm the single sign-on tests skip, saying why, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from tests import services, today

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "node_modules" / "oidc-provider" / "package.json"


def _missing(what: str) -> None:
    if services.in_ci():
        pytest.fail(f"{what}; CI=true requires the single sign-on tests to run", pytrace=False)
    pytest.skip(f"{what}; the single sign-on tests need a real OpenID Connect provider")


def ensure_installed() -> str:
    """The path of `node`, with oidc-provider installed next to this file (skip or fail without them)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("Node.js and npm are not installed (`apt-get install nodejs npm`)")
    if not PACKAGE.is_file():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], check=False, cwd=HERE,
                              capture_output=True, text=True, timeout=300)
        if done.returncode or not PACKAGE.is_file():
            _missing(f"`npm ci` in {HERE} failed: {done.stderr[-500:]}")
    return str(node)


def signing_key() -> dict[str, Any]:
    """A fresh RSA key (private JWK) for a provider to sign ID tokens with."""
    key = RSAKey.generate_key(2048, parameters={"kid": f"test-{os.getpid()}-{time.monotonic_ns()}", "use": "sig",
                                                "alg": "RS256"}, private=True)
    return key.as_dict(private=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Client:
    """A relying party registered at the provider."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]


@contextmanager
def running(clients: list[Client], accounts: dict[str, dict[str, Any]], key: dict[str, Any] | None = None,
            folder: Path | None = None) -> Iterator[str]:
    """A provider serving `clients` and `accounts` on a free port; yields its issuer URL."""
    node = ensure_installed()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OIDC_ISSUER": issuer, "OIDC_PORT": str(port),
           "OIDC_CLIENTS": json.dumps([vars(c) for c in clients]), "OIDC_ACCOUNTS": json.dumps(accounts),
           "OIDC_JWKS": json.dumps({"keys": [key or signing_key()]}),
           "CLOCK_OFFSET_MS": str(int(today.OFFSET_SECONDS * 1000)), "NODE_ENV": "test"}
    log_path = (folder or HERE) / f"provider-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115  (closed in the finally below, after the process ends)
    process = subprocess.Popen([node, str(HERE / "provider.mjs")], cwd=HERE, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"the identity provider exited: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"the identity provider did not start: {log_path.read_text()[-2000:]}")
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        if folder is None:
            log_path.unlink(missing_ok=True)
